// Editing on the real widgets (offscreen) and on the document alone: add layers from the
// palette, connect them, refuse impossible edits, drop a device on a layer, undo it all.
#include "add_device_dialog.h"
#include "device_editor.h"
#include "design_document.h"
#include "graph/node_metrics.h"
#include "hw/catalogue.h"
#include "plan/design_check.h"
#include "store/design_json.h"
#include "store/project_store.h"
#include "property_panel.h"

#include <QComboBox>
#include "estimate_controller.h"
#include "graph_view.h"
#include "main_window.h"
#include "node_item.h"
#include "minimap.h"
#include "op_palette.h"
#include "platform_view.h"

#include <QMimeData>
#include <QPainter>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace seaside;

namespace {
void dropOnView(views::GraphView *view, const char *mime, const QByteArray &data, QPoint at) {
    QMimeData md;
    md.setData(mime, data);
    QDragEnterEvent enter(at, Qt::CopyAction, &md, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(view->viewport(), &enter);
    QDragMoveEvent move(at, Qt::CopyAction, &md, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(view->viewport(), &move);
    QDropEvent drop(QPointF(at), Qt::CopyAction, &md, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(view->viewport(), &drop);
}

QPoint viewPosOf(views::GraphView *view, graph::NodeId id) { return view->mapFromScene(view->itemFor(id)->pos()); }

// After every step of the undo stack (an edit, an undo, a redo), the design must pass the checks
// the project store applies when it opens a file: otherwise the user saves a project that
// Seaside then refuses to open.
std::string g_unloadable; // the first failure of a test function, checked by cleanup()
struct LoadableAfterEveryStep {
    explicit LoadableAfterEveryStep(views::DesignDocument &doc) : m_doc(doc) {
        m_connection = QObject::connect(doc.undoStack(), &QUndoStack::indexChanged, [this](int) {
            if (Status s = plan::checkDesign(m_doc.design()); !s && failure.empty())
                failure = "after '" + m_doc.undoStack()->undoText().toStdString() + "': " + s.message();
        });
    }
    ~LoadableAfterEveryStep() {
        QObject::disconnect(m_connection);
        if (g_unloadable.empty())
            g_unloadable = failure;
    }
    std::string failure;

private:
    views::DesignDocument &m_doc;
    QMetaObject::Connection m_connection;
};
} // namespace

class TestStudioEditing : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QCoreApplication::setOrganizationName("SeasideTest"); }
    void cleanup() {
        const std::string failure = std::exchange(g_unloadable, {});
        QVERIFY2(failure.empty(), failure.c_str());
    }

    void everyGraphCommandUndoesWithoutAScene() {
        views::DesignDocument doc;
        LoadableAfterEveryStep loadable(doc);
        QString error;
        QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json", {}, &error));
        const plan::Design original = doc.design();
        const auto &g = [&]() -> const graph::Graph & { return doc.design().graph; };
        const auto head = g().findByName("head.fc2")->id, out = g().findByName("embedding")->id;

        const auto fc = doc.addLayer(graph::OpKind::Linear, {10, 20});
        QVERIFY(g().node(fc));
        QCOMPARE(doc.design().layout.at(fc).x, 10.0);
        QVERIFY(doc.connectNodes(head, fc).ok());
        QCOMPARE(g().node(fc)->outputs[0].shape, (std::vector<std::int64_t>{1, 256})); // shapes follow the edge
        const auto cycle = doc.connectNodes(fc, head); // a cycle is refused, naming both ends
        QVERIFY(!cycle.ok());
        QVERIFY2(cycle.message().find("would close a cycle") != std::string::npos, cycle.message().c_str());
        QVERIFY2(cycle.message().find("head.fc2") != std::string::npos, cycle.message().c_str());
        auto neg = doc.setAttribute(fc, "out_features", std::int64_t(-3));
        QVERIFY(!neg.ok());
        QVERIFY(neg.message().find("positive") != std::string::npos);
        QVERIFY(doc.setAttribute(fc, "out_features", std::int64_t(32)).ok());
        QCOMPARE(g().node(fc)->outputs[0].shape, (std::vector<std::int64_t>{1, 32}));
        // an impossible shape: a 9x9 kernel on the 1-D EEG signal is refused, the value stays
        auto bad = doc.setAttribute(g().findByName("block1.conv")->id, "kernel", std::vector<std::int64_t>{9, 9});
        QVERIFY(!bad.ok());
        QVERIFY2(bad.message().find("refused: ") == 0 && bad.message().find("block1.conv") != std::string::npos, bad.message().c_str());
        QCOMPARE(g().findByName("block1.conv")->attrs.getInts("kernel"), (std::vector<std::int64_t>{7}));
        doc.moveNodes({{fc, {50, 60}}});
        doc.moveNodes({{fc, {70, 80}}}); // one drag: merged into one step
        const int steps = doc.undoStack()->count();
        doc.removeNodes({head, out});
        QVERIFY(!g().node(head) && !g().node(out));
        QCOMPARE(doc.undoStack()->count(), steps + 1);

        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QVERIFY(doc.design() == original);
        while (doc.undoStack()->canRedo())
            doc.undoStack()->redo();
        QVERIFY(!g().node(head));
        QCOMPARE(doc.design().layout.at(fc).x, 70.0);
        QCOMPARE(g().node(fc)->attrs.getInt("out_features"), std::int64_t(32));
    }

    // An edit upstream of blocks reaches the layers inside them: a stride-1 max pool in ResNet-50
    // makes every stage after it work on four times the pixels, and undo brings the bodies back.
    void blocksFollowAnEditUpstream() {
        views::DesignDocument doc;
        LoadableAfterEveryStep loadable(doc);
        QString error;
        QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/resnet50-fpga-unzip.json", {}, &error));
        const plan::Design original = doc.design();
        const auto &g = [&]() -> const graph::Graph & { return doc.design().graph; };
        const graph::Node *pool = g().findByName("maxpool");
        QVERIFY(pool && g().findByName("stage1.block0"));
        QCOMPARE(g().findByName("stage1.block0")->outputs[0].shape, (std::vector<std::int64_t>{1, 256, 56, 56}));
        const double macsBefore = graph::graphMetrics(g()).macs;

        QVERIFY(doc.setAttribute(pool->id, "stride", std::vector<std::int64_t>{1, 1}).ok());
        QCOMPARE(g().findByName("stage1.block0")->outputs[0].shape, (std::vector<std::int64_t>{1, 256, 112, 112}));
        QCOMPARE(g().findByName("stage4.block1-2")->outputs[0].shape, (std::vector<std::int64_t>{1, 2048, 14, 14}));
        const graph::Graph &body = *g().findByName("stage1.block0")->body;
        for (const graph::Node &n : body.nodes()) // every layer inside, not only the block's outputs
            if (n.kind == graph::OpKind::Conv)
                QCOMPARE(n.outputs[0].shape.back(), std::int64_t(112));
        // the stem stays as it was: all but conv1's MACs (about 0.12 of 4.1 G) grow four times
        QVERIFY(graph::graphMetrics(g()).macs > 3.8 * macsBefore);

        doc.undoStack()->undo();
        QVERIFY(doc.design() == original);
        QCOMPARE(graph::graphMetrics(g()).macs, macsBefore);
    }

    void paletteConnectDeviceUndo() {
        app::MainWindow w;
        w.resize(1400, 900);
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        views::GraphView *view = w.graphView();
        auto &doc = *w.document();
        LoadableAfterEveryStep loadable(doc);
        const std::size_t before = doc.design().graph.size();
        const double latency = w.estimates()->estimate().latency;

        // drag "linear" from the palette onto an empty part of the canvas
        dropOnView(view, views::OpPalette::kMime, "linear", QPoint(40, 40));
        QCOMPARE(doc.design().graph.size(), before + 1);
        const graph::NodeId added = doc.design().graph.nodes().back().id;
        QCOMPARE(doc.design().graph.node(added)->kind, graph::OpKind::Linear);
        QVERIFY(view->itemFor(added));

        // Shift+drag from head.fc2 to the new layer connects them
        const auto head = doc.design().graph.findByName("head.fc2")->id;
        view->focusNode(head);
        const QPoint from = viewPosOf(view, head);
        view->itemFor(added)->setPos(view->mapToScene(from + QPoint(0, 120))); // bring it into view
        const QPoint to = viewPosOf(view, added);
        QTest::mousePress(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, from);
        QTest::mouseMove(view->viewport(), to);
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, to);
        bool connected = false;
        for (const auto &e : doc.design().graph.edges())
            connected = connected || (e.src == head && e.dst == added);
        QVERIFY(connected);

        // drop the cloud device onto a layer: the estimate changes
        const auto conv = doc.design().graph.findByName("block2.conv")->id;
        view->focusNode(conv);
        view->scene()->clearSelection();
        dropOnView(view, views::kDeviceMime, "cloud", viewPosOf(view, conv));
        QCOMPARE(doc.design().placement.at(conv).device, std::string("cloud"));
        // graph edits are evaluated on a worker after a short debounce: the GUI never waits
        QVERIFY(w.estimates()->busy());
        QTRY_VERIFY(!w.estimates()->busy());
        QVERIFY(w.estimates()->estimate().latency != latency);

        // undo everything: the design and the estimate are as they were
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QCOMPARE(doc.design().graph.size(), before);
        QCOMPARE(doc.design().placement.at(conv).device, std::string("edge"));
        QTRY_VERIFY(!w.estimates()->busy());
        QCOMPARE(w.estimates()->estimate().latency, latency);
    }

    void platformAndLayerConfigEdits() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json"));
        auto &doc = *w.document();
        LoadableAfterEveryStep loadable(doc);
        const plan::Design original = doc.design();
        const double latency = w.estimates()->estimate().latency;

        QCOMPARE(w.platformView()->deviceBoxes(), 2);
        QCOMPARE(w.platformView()->linkLines(), 1);
        app::AddDeviceDialog dialog(doc.design().platform);
        dialog.setFilter("jetson");
        QCOMPARE(dialog.visibleDevices(), 3);
        QVERIFY(dialog.select("nvidia-h100-sxm"));
        const hw::DeviceInstance h100 = dialog.device();
        QCOMPARE(h100.id, std::string("gpu0")); // a free name on this platform
        QVERIFY(doc.addDevice(h100).ok());
        QCOMPARE(doc.design().platform.devices.size(), std::size_t(3));
        QVERIFY(!doc.addDevice(h100).ok()); // the same name twice is refused
        hw::LinkInstance bad{"x", "gpu0", "nowhere", *hw::defaultCatalogue().link("pcie4-x16")};
        QVERIFY(!doc.addLink(bad).ok());
        QVERIFY(doc.addLink({"pcie", "gpu0", "cloud", *hw::defaultCatalogue().link("pcie4-x16")}).ok());
        QCOMPARE(w.platformView()->deviceBoxes(), 3); // the platform diagram follows
        QCOMPARE(w.platformView()->linkLines(), 2);
        if (qEnvironmentVariableIsSet("SEASIDE_SCREENSHOT_PLATFORM")) { // to look at the platform diagram
            QImage image(700, 500, QImage::Format_ARGB32);
            image.fill(Qt::white);
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            w.platformView()->scene()->render(&painter);
            painter.end();
            image.save(qEnvironmentVariable("SEASIDE_SCREENSHOT_PLATFORM"));
        }

        doc.removeDevice("edge"); // its layers become unplaced: the precheck says so
        QTRY_VERIFY(!w.estimates()->busy());
        QVERIFY(w.estimates()->estimate().failures.size() >= 1);
        doc.undoStack()->undo();
        QTRY_VERIFY(!w.estimates()->busy());
        QCOMPARE(w.estimates()->estimate().latency, latency);

        // precision and sparsity from the property panel
        const auto conv = doc.design().graph.findByName("block3.conv")->id;
        w.graphView()->itemFor(conv)->setSelected(true);
        auto *sparsity = w.propertyPanel()->findChild<QComboBox *>("sparsityCombo");
        auto *dtype = w.propertyPanel()->findChild<QComboBox *>("dtypeCombo");
        QVERIFY(sparsity && dtype);
        sparsity->setCurrentText("2:4");
        QCOMPARE(doc.design().placement.at(conv).options.getString("sparsity"), std::string("2:4"));
        QCoreApplication::processEvents(); // the panel refills after the edit
        dtype = w.propertyPanel()->findChild<QComboBox *>("dtypeCombo");
        dtype->setCurrentText("int8");
        QCOMPARE(doc.design().placement.at(conv).dtype, std::string("int8"));
        QCOMPARE(doc.design().placement.at(conv).device, std::string("edge")); // the rest of the config is kept
        QCoreApplication::processEvents();
        // other per-layer options as key=value text (FPGA customisations, DVFS level)
        auto rows = w.propertyPanel()->findItems("Options", Qt::MatchExactly);
        QCOMPARE(rows.size(), 1);
        rows[0]->setText(1, "unroll=64, tile=[64,32,16], freq_hz=1.2e9");
        const auto &opts = doc.design().placement.at(conv).options;
        QCOMPARE(opts.getInt("unroll"), std::int64_t(64));
        QCOMPARE(opts.getInts("tile"), (std::vector<std::int64_t>{64, 32, 16}));
        QCOMPARE(opts.getDouble("freq_hz"), 1.2e9);
        QCOMPARE(opts.getString("sparsity"), std::string("2:4")); // kept from its own combo
        QCoreApplication::processEvents();
        rows = w.propertyPanel()->findItems("Options", Qt::MatchExactly);
        rows[0]->setText(1, "nonsense");
        QCOMPARE(doc.design().placement.at(conv).options.getInt("unroll"), std::int64_t(64)); // refused, unchanged

        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QVERIFY(doc.design() == original);
    }

    void copyPasteDuplicateKeepInternalEdges() {
        views::DesignDocument doc;
        LoadableAfterEveryStep loadable(doc);
        QString error;
        QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json", {}, &error));
        const auto &g = doc.design().graph;
        const std::size_t nodes = g.size(), edges = g.edges().size();
        const auto conv = g.findByName("block1.conv")->id, bn = g.findByName("block1.bn")->id;
        const auto copies = doc.duplicateNodes({conv, bn});
        QCOMPARE(copies.size(), std::size_t(2));
        QCOMPARE(g.size(), nodes + 2);
        QCOMPARE(g.edges().size(), edges + 1); // the conv -> bn edge came along; edges to the rest did not
        QCOMPARE(g.node(copies[0])->name, std::string("block1.conv_copy"));
        QCOMPARE(doc.design().placement.at(copies[0]).device, std::string("edge"));
        QCOMPARE(doc.design().layout.at(copies[0]).x, doc.design().layout.at(conv).x + 40);
        const std::string clip = doc.copyNodes({conv});
        const auto pasted = doc.pasteNodes(clip, {0, 100});
        QCOMPARE(g.node(pasted[0])->name, std::string("block1.conv_copy2"));
        QVERIFY(doc.pasteNodes("not a clipboard", {0, 0}, &error).empty());
        QVERIFY2(error.contains("holds no Seaside nodes"), qPrintable(error));
        // a clipboard from elsewhere whose conv, fed by the input copied with it, has a negative
        // kernel: refused, as no save would write it
        std::string bad = doc.copyNodes({g.findByName("eeg")->id, conv});
        const auto at = bad.find("\"kernel\":[7]");
        QVERIFY(at != std::string::npos);
        bad.replace(at, 12, "\"kernel\":[-7]");
        const int steps = doc.undoStack()->count();
        QVERIFY(doc.pasteNodes(bad, {0, 0}, &error).empty());
        QVERIFY2(error.startsWith("refused: ") && error.contains("kernel, stride and dilation must be positive"), qPrintable(error));
        QCOMPARE(doc.undoStack()->count(), steps);
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QCOMPARE(g.size(), nodes);
        QCOMPARE(g.edges().size(), edges);
    }

    void autoLayoutOnAWorkerIsOneUndoStep() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json"));
        auto &doc = *w.document();
        LoadableAfterEveryStep loadable(doc);
        const auto first = doc.design().graph.findByName("block1.conv")->id, last = doc.design().graph.findByName("head.fc2")->id;
        const int steps = doc.undoStack()->count();
        w.relayout(true);
        QTRY_COMPARE(doc.undoStack()->count(), steps + 1);
        QVERIFY(doc.design().layout.at(last).x > doc.design().layout.at(first).x); // left to right
        doc.undoStack()->undo();
        QVERIFY(doc.design().layout.at(last).y > doc.design().layout.at(first).y); // back to top-down
    }

    void minimapMovesTheView() {
        app::MainWindow w;
        w.resize(1400, 900);
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/dynasplit-vgg16-edge-cloud.json"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        views::Minimap *map = w.graphView()->minimap();
        QVERIFY(map->isVisible());
        const QRectF before = map->visibleArea();
        // click near the bottom of the overview: the view jumps to the end of the network
        QTest::mouseClick(map->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(map->viewport()->width() / 2, map->viewport()->height() - 4));
        const QRectF after = map->visibleArea();
        QVERIFY2(after.center().y() > before.center().y() + 500, qPrintable(QString("%1 -> %2").arg(before.center().y()).arg(after.center().y())));
        // middle-button drag pans the canvas the other way
        QWidget *vp = w.graphView()->viewport();
        QTest::mousePress(vp, Qt::MiddleButton, Qt::NoModifier, QPoint(400, 100));
        QMouseEvent move(QEvent::MouseMove, QPointF(400, 400), vp->mapToGlobal(QPointF(400, 400)), Qt::NoButton, Qt::MiddleButton, Qt::NoModifier);
        QCoreApplication::sendEvent(vp, &move);
        QTest::mouseRelease(vp, Qt::MiddleButton, Qt::NoModifier, QPoint(400, 400));
        QVERIFY(map->visibleArea().center().y() < after.center().y() - 200);
    }

    // A design whose largest node id is the largest allowed still takes new nodes from every
    // command (the watch checks each step), and its save opens again.
    void editsNextToTheLargestNodeId() {
        nlohmann::json j;
        QTemporaryDir dir;
        const std::string exported = dir.filePath("exported.json").toStdString();
        {
            views::DesignDocument doc;
            QString error;
            QVERIFY2(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/gcn-fpga.json", {}, &error), qPrintable(error));
            QVERIFY(store::writeDesignJson(doc.design(), exported).ok());
        }
        std::ifstream(exported) >> j;
        const auto last = j["graph"]["nodes"].back()["id"].get<graph::NodeId>();
        j["graph"]["nodes"].back()["id"] = graph::kMaxNodeId;
        for (auto &e : j["graph"]["edges"])
            for (int end : {0, 2})
                if (e[end].get<graph::NodeId>() == last)
                    e[end] = graph::kMaxNodeId;
        std::ofstream(exported) << j.dump();
        views::DesignDocument doc;
        LoadableAfterEveryStep loadable(doc);
        QString error;
        QVERIFY2(doc.load(QString::fromStdString(exported), {}, &error), qPrintable(error));
        const auto &g = doc.design().graph;
        QVERIFY(g.node(graph::kMaxNodeId));
        const auto fc = doc.addLayer(graph::OpKind::Linear, {10, 20});
        QVERIFY(fc >= 1 && fc < graph::kMaxNodeId);
        const auto pasted = doc.pasteNodes(doc.copyNodes({g.findByName("conv1")->id, fc}), {0, 100});
        QCOMPARE(pasted.size(), std::size_t(2));
        const std::string saved = dir.filePath("saved.seaside").toStdString();
        QVERIFY(store::saveProject(doc.design(), saved).ok());
        auto back = store::openProject(saved);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QVERIFY(*back == doc.design());
    }

    void groupRepeatUngroup() {
        views::DesignDocument doc;
        LoadableAfterEveryStep loadable(doc);
        QString error;
        QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json", {}, &error));
        const plan::Design original = doc.design();
        const auto &g = doc.design().graph;
        const double params = graph::graphMetrics(g).params;
        std::vector<graph::NodeId> block2;
        for (const char *n : {"block2.conv", "block2.bn", "block2.gelu", "block2.pool"})
            block2.push_back(g.findByName(n)->id);
        auto b = doc.groupIntoBlock(block2);
        QVERIFY2(b.ok(), b.ok() ? "" : b.error().message.c_str());
        QCOMPARE(g.size(), original.graph.size() - 3);
        QCOMPARE(g.node(*b)->kind, graph::OpKind::Block);
        QCOMPARE(graph::graphMetrics(g).params, params); // the block holds the same layers
        QCOMPARE(g.node(*b)->outputs[0].shape, original.graph.findByName("block2.pool")->outputs[0].shape);
        QCOMPARE(doc.design().placement.at(*b).device, std::string("edge"));
        // each repetition takes the one before: a block that halves its input cannot repeat
        const auto halves = doc.setRepeat(*b, 3);
        QVERIFY(!halves.ok());
        QVERIFY2(halves.message().find("repeats 3 times, but its body turns [1,128,256] into [1,128,128]") != std::string::npos,
                 halves.message().c_str());
        QCOMPARE(g.node(*b)->repeat, std::int64_t(1));
        auto keeps = doc.groupIntoBlock({g.findByName("block3.bn")->id, g.findByName("block3.gelu")->id});
        QVERIFY2(keeps.ok(), keeps.ok() ? "" : keeps.error().message.c_str());
        QVERIFY(doc.setRepeat(*keeps, 3).ok());
        QVERIFY(!doc.setRepeat(*keeps, 0).ok());
        const double blockParams = graph::nodeMetrics(g, *g.node(*keeps)).params;
        QVERIFY(blockParams > 0);
        QVERIFY(!doc.ungroupBlock(*keeps).ok()); // repeated: refuse to inline
        QVERIFY(doc.setRepeat(*keeps, 1).ok());
        QCOMPARE(graph::nodeMetrics(g, *g.node(*keeps)).params * 3, blockParams);
        QVERIFY(doc.ungroupBlock(*keeps).ok());
        QVERIFY(doc.ungroupBlock(*b).ok());
        QCOMPARE(g.size(), original.graph.size());
        QCOMPARE(graph::graphMetrics(g).params, params);
        QVERIFY(g.topologicalOrder().ok());
        // a selection that leaves the flow and comes back cannot be a block
        auto bad = doc.groupIntoBlock({g.findByName("block1.conv")->id, g.findByName("block1.pool")->id});
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.find("leaves the flow and comes back") != std::string::npos, bad.error().message.c_str());
        while (doc.undoStack()->canUndo())
            doc.undoStack()->undo();
        QVERIFY(doc.design() == original);
    }

    void deviceFiguresAreValidated() {
        views::DesignDocument doc;
        LoadableAfterEveryStep loadable(doc);
        QString error;
        QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json", {}, &error));
        const hw::DeviceSpec before = doc.design().platform.device("cloud")->spec;
        app::DeviceEditor editor(before);
        editor.setField("Memory bandwidth (GB/s)", -5);
        auto refused = doc.editDevice("cloud", editor.spec());
        QVERIFY(!refused.ok());
        QVERIFY(refused.message().find("mem_bandwidth") != std::string::npos);
        QVERIFY(doc.design().platform.device("cloud")->spec == before);
        editor.setField("Memory bandwidth (GB/s)", 900);
        QVERIFY(doc.editDevice("cloud", editor.spec()).ok());
        QCOMPARE(doc.design().platform.device("cloud")->spec.memBandwidth, 900e9);
        doc.undoStack()->undo();
        QVERIFY(doc.design().platform.device("cloud")->spec == before);
    }

    void expandAndCollapseABlock() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/mixtral-moe-on-gpus.json"));
        auto &doc = *w.document();
        LoadableAfterEveryStep loadable(doc);
        const auto block = doc.design().graph.findByName("layers.0-31.p0")->id;
        const std::size_t folded = w.graphView()->drawnNodeCount();
        QCOMPARE(folded, doc.design().graph.size());
        doc.setBlockExpanded(block, true);
        const std::size_t bodySize = doc.design().graph.node(block)->body->size();
        QCOMPARE(w.graphView()->drawnNodeCount(), folded + bodySize); // the body's layers are shown
        QVERIFY(doc.design().layout.at(block).expanded);
        QVERIFY(w.isWindowModified()); // kept in the file, so it is a change to save
        if (qEnvironmentVariableIsSet("SEASIDE_SCREENSHOT_BLOCK")) { // to look at an open block
            w.resize(1400, 900);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.graphView()->fitAll();
            w.grab().save(qEnvironmentVariable("SEASIDE_SCREENSHOT_BLOCK"));
        }
        doc.undoStack()->undo();
        QCOMPARE(w.graphView()->drawnNodeCount(), folded);
    }

    void paletteSearch() {
        views::OpPalette palette;
        palette.setFilter("conv");
        QCOMPARE(palette.visibleCount(), 2); // conv, gnn_conv
        palette.setFilter("");
        QVERIFY(palette.visibleCount() >= 15);
    }
};

QTEST_MAIN(TestStudioEditing)
#include "tst_studio_editing.moc"
