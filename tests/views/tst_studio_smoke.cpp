// The studio opens a sample and its canvas shows the design's nodes (offscreen).
#include "design_document.h"
#include "device_list.h"
#include "graph_view.h"
#include "main_window.h"
#include "node_item.h"
#include "estimate_controller.h"
#include "estimate_panel.h"
#include "property_panel.h"
#include "eliding_combo_box.h"

#include <QComboBox>
#include <QScrollBar>
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
        // every device's whole name shows in the dock at its default width (the Coral's is long)
        const auto *devices = w.findChild<views::DeviceList *>();
        QVERIFY(devices);
        QVERIFY(!devices->horizontalScrollBar()->isVisible());
        for (int i = 0; i < devices->count(); ++i) {
            const QRect r = devices->visualItemRect(devices->item(i));
            QVERIFY2(r.right() <= devices->viewport()->width(), qPrintable(devices->item(i)->text()));
        }
        const QImage shot = w.grab().toImage();
        QVERIFY(!shot.isNull());
        if (qEnvironmentVariableIsSet("SEASIDE_SCREENSHOT"))
            shot.save(qEnvironmentVariable("SEASIDE_SCREENSHOT"));
    }

    void changingADeviceUpdatesTheEstimateAndUndoRestoresIt() {
        app::MainWindow w;
        w.resize(1400, 900);
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/dynasplit-vgg16-edge-cloud.json"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const auto &design = w.document()->design();
        const double before = w.estimates()->estimate().latency;
        QVERIFY(before > 0);
        QVERIFY(w.estimatePanel()->totalsText().contains("Latency"));
        QVERIFY(!w.estimatePanel()->layerBarNames().isEmpty());
        QCOMPARE(w.estimatePanel()->layerBarNames().first(), QString("conv1_2")); // the slowest layer is on top

        // pick the slowest layer's device in the property panel, as a user does
        const auto id = design.graph.findByName("conv1_2")->id;
        w.graphView()->itemFor(id)->setSelected(true);
        auto *combo = w.propertyPanel()->findChild<QComboBox *>("deviceCombo");
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findData(QString("cloud")));
        QCOMPARE(design.placement.at(id).device, std::string("cloud"));
        const double after = w.estimates()->estimate().latency;
        QVERIFY2(after != before, qPrintable(QString("%1 vs %2").arg(after).arg(before)));
        QVERIFY(w.statusText().contains(QString::number(after * 1e3, 'f', 3)));

        w.document()->undoStack()->undo();
        QCOMPARE(design.placement.at(id).device, std::string("edge"));
        QCOMPARE(w.estimates()->estimate().latency, before);
        w.document()->undoStack()->redo();
        QCOMPARE(w.estimates()->estimate().latency, after);

        // an int8-only Edge TPU cannot run an fp32 layer: the failure shows in the panel
        w.document()->setLayerDevice(id, "tpu");
        QVERIFY(w.estimatePanel()->failureCount() >= 1);
        QVERIFY(w.graphView()->itemFor(id)->toolTip().contains("cannot run"));
        // the Properties column is narrower than the Coral's name: the device box's tooltip has it whole
        QTest::qWait(0);
        auto *tpuCombo = w.propertyPanel()->findChild<QComboBox *>("deviceCombo");
        QVERIFY(tpuCombo);
        QVERIFY2(tpuCombo->toolTip().contains("Google Coral USB Accelerator (Edge TPU)"), qPrintable(tpuCombo->toolTip()));
        // and the closed box says it is cut ("…"), rather than stopping mid-word
        auto *eliding = qobject_cast<views::ElidingComboBox *>(tpuCombo);
        QVERIFY(eliding);
        QVERIFY2(eliding->shownText().endsWith(QChar(0x2026)) && eliding->shownText().startsWith("tpu"),
                 qPrintable(eliding->shownText()));
        QVERIFY(eliding->fontMetrics().horizontalAdvance(eliding->shownText()) < eliding->fontMetrics().horizontalAdvance(eliding->currentText()));
        QTest::qWait(50);
        if (qEnvironmentVariableIsSet("SEASIDE_SCREENSHOT_ESTIMATE"))
            w.grab().save(qEnvironmentVariable("SEASIDE_SCREENSHOT_ESTIMATE"));
        if (qEnvironmentVariableIsSet("SEASIDE_SCREENSHOT_DARK")) { // to look at the dark theme
            app::StudioSettings dark;
            dark.dark = true;
            w.applySettings(dark);
            QTest::qWait(50);
            w.grab().save(qEnvironmentVariable("SEASIDE_SCREENSHOT_DARK"));
            w.applySettings(app::StudioSettings{});
        }
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
