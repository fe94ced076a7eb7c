// The studio opens a sample and its canvas shows the design's nodes (offscreen).
#include "design_document.h"
#include "graph_view.h"
#include "main_window.h"
#include "node_item.h"
#include "property_panel.h"

#include <QtTest>

using namespace seaside;

class TestStudioSmoke : public QObject {
    Q_OBJECT
private slots:
    void opensASampleAndShowsItsNodes() {
        app::MainWindow w;
        w.resize(1200, 800);
        const QString sample = QString(SEASIDE_PROJECTS_DIR) + "/dynasplit-vgg16-edge-cloud.json";
        QVERIFY(w.openFile(sample));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const auto &design = w.document()->design();
        QCOMPARE(w.graphView()->nodeItemCount(), design.graph.size());
        QVERIFY(design.graph.size() > 30);
        for (const auto &n : design.graph.nodes())
            QVERIFY(w.document()->design().layout.count(n.id)); // every node was laid out
        QVERIFY(w.statusText().contains("params 138.36 M"));
        QVERIFY(w.windowTitle().contains("dynasplit"));
        // selecting a node fills the property panel with its figures
        const auto *conv = design.graph.findByName("conv1_1");
        w.graphView()->itemFor(conv->id)->setSelected(true);
        const auto rows = w.propertyPanel()->findItems("Parameters", Qt::MatchExactly);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0]->text(1), QString("1.79 k")); // 64 * 3 * 3*3 + 64
        QCOMPARE(w.propertyPanel()->findItems("Device", Qt::MatchExactly)[0]->text(1), QString("edge"));
        const QImage shot = w.grab().toImage();
        QVERIFY(!shot.isNull());
        if (qEnvironmentVariableIsSet("SEASIDE_SCREENSHOT"))
            shot.save(qEnvironmentVariable("SEASIDE_SCREENSHOT"));
    }

    void aBadFileKeepsTheCurrentDesign() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/gcn-fpga.json"));
        const std::size_t before = w.document()->design().graph.size();
        QString error;
        QVERIFY(!w.document()->load("/nonexistent/file.seaside", {}, &error));
        QVERIFY(error.contains("/nonexistent/file.seaside"));
        QCOMPARE(w.document()->design().graph.size(), before);
    }
};

QTEST_MAIN(TestStudioSmoke)
#include "tst_studio_smoke.moc"
