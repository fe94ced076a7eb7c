// The studio on a 10,000-node design, offscreen: open (load + layout + first paint) and the
// frame time while panning and zooming. Targets: <= 2 s to open, <= 16 ms a frame.
#include "design_document.h"
#include "../common/large_design.h"
#include "graph_view.h"
#include "store/project_store.h"

#include <QApplication>
#include <QScrollBar>
#include <benchmark/benchmark.h>
#include <unistd.h>

using namespace seaside;

namespace {
// The benchmarks' 10,000-node design, saved once without a layout: opening lays it out.
std::string largeProject() {
    static const std::string path = "/tmp/seaside_bench_studio_" + std::to_string(getpid()) + ".seaside";
    static bool written = false;
    if (written)
        return path;
    plan::Design d = seaside::testing::residualMlp();
    store::saveProject(d, path);
    written = true;
    return path;
}

void BM_Open10kNodes(benchmark::State &state) {
    const QString path = QString::fromStdString(largeProject());
    for (auto _ : state) {
        views::DesignDocument doc;
        views::GraphView view(&doc);
        view.resize(1400, 900);
        view.show();
        QString error;
        if (!doc.load(path, {}, &error))
            state.SkipWithError(error.toStdString().c_str());
        const QImage first = view.grab().toImage(); // the first paint
        benchmark::DoNotOptimize(first.width());
        state.counters["nodes"] = double(doc.design().graph.size());
    }
}

void BM_PanZoomFrame(benchmark::State &state) {
    views::DesignDocument doc;
    views::GraphView view(&doc);
    view.resize(1400, 900);
    view.show();
    QString error;
    doc.load(QString::fromStdString(largeProject()), {}, &error);
    view.grab();
    view.setTransform(QTransform::fromScale(0.75, 0.75)); // readable zoom: labels drawn, the slow case
    int step = 0;
    for (auto _ : state) {
        // alternate: pan down a screen, zoom out, zoom in, pan back
        switch (step++ % 4) {
        case 0:
            view.verticalScrollBar()->setValue(view.verticalScrollBar()->value() + 400);
            break;
        case 1:
            view.scale(0.8, 0.8);
            break;
        case 2:
            view.scale(1.25, 1.25);
            break;
        default:
            view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->value() + 200);
        }
        // one frame: offscreen there is no compositor, so render the viewport into an image
        const QPixmap frame = view.viewport()->grab();
        benchmark::DoNotOptimize(frame.width());
    }
}
} // namespace

BENCHMARK(BM_Open10kNodes)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_PanZoomFrame)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
