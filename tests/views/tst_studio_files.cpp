// Files and finding in the studio, on the real widgets (offscreen): new from a template, the
// unsaved-changes mark, save and reopen, exports, find with next and previous.
#include "autosave.h"
#include "settings.h"
#include "design_document.h"
#include "estimate_controller.h"
#include "find_bar.h"
#include "graph_view.h"
#include "main_window.h"
#include "node_item.h"

#include "store/project_store.h"
#include "store/sqlite.h"

#include <QFile>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace seaside;

class TestStudioFiles : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QCoreApplication::setOrganizationName("SeasideTest"); }

    void documentCommandsRoundTripWithoutAScene() {
        views::DesignDocument doc; // no scene, no window: commands act on the document alone
        QString error;
        QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/gcn-fpga.json", {}, &error));
        const plan::Design original = doc.design();
        std::vector<graph::NodeId> changed;
        connect(&doc, &views::DesignDocument::layersChanged, this, [&](const std::vector<graph::NodeId> &ids) { changed = ids; });
        const auto conv1 = original.graph.findByName("conv1")->id;
        const auto relu = original.graph.findByName("relu1")->id;
        doc.setLayerDevice(conv1, "host");
        doc.setLayerDevice(relu, "");
        doc.setLayerDevice(relu, ""); // no change: no command
        QCOMPARE(doc.undoStack()->count(), 2);
        QCOMPARE(doc.design().placement.at(conv1).device, std::string("host"));
        QCOMPARE(doc.design().placement.at(conv1).options.getInt("p_in"), std::int64_t(32)); // the rest of the config is kept
        QCOMPARE(changed, std::vector<graph::NodeId>{relu});
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QVERIFY(doc.design() == original);
        doc.undoStack()->redo();
        doc.undoStack()->redo();
        QCOMPARE(doc.design().placement.at(relu).device, std::string());
        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QVERIFY(doc.design() == original);
        QVERIFY(doc.undoStack()->isClean());
    }

    void templateEditSaveReopen() {
        app::MainWindow w;
        QString error;
        QVERIFY(w.document()->newFromTemplate("resnet50", &error));
        QVERIFY(w.windowTitle().contains("resnet50"));
        QVERIFY(!w.isWindowModified());
        QVERIFY(w.graphView()->nodeItemCount() == w.document()->design().graph.size());

        const auto fc = w.document()->design().graph.findByName("fc")->id;
        w.document()->setLayerDevice(fc, ""); // an edit with no platform yet: still undoable
        QVERIFY(w.document()->isModified());
        QVERIFY(w.isWindowModified());

        const QString path = m_dir.filePath("resnet.seaside");
        QVERIFY(w.document()->save(path, &error));
        QVERIFY(!w.isWindowModified());

        app::MainWindow again;
        QVERIFY(again.openFile(path));
        QVERIFY(again.document()->design() == w.document()->design());
        QVERIFY(again.windowTitle().contains("resnet.seaside"));
    }

    // A project the shape rules refuse (a block that widens its input, repeated: an older Seaside
    // let that be saved) opens as saved, says why, and can be fixed and saved; the command line
    // and a plain open refuse it.
    void projectTheRulesRefuseOpensToBeFixed() {
        app::MainWindow w;
        QString error;
        QVERIFY(w.document()->newFromTemplate("resnet50", &error));
        const QString path = m_dir.filePath("repeated.seaside");
        QVERIFY(w.document()->save(path, &error));
        const graph::NodeId block = w.document()->design().graph.findByName("stage1.block0")->id;
        {
            auto db = store::Database::open(path.toStdString(), store::Database::Mode::ReadWriteCreate);
            QVERIFY(db->exec("UPDATE nodes SET repeat=2 WHERE graph_id=0 AND id=" + std::to_string(block)).ok());
        }
        QVERIFY(!store::openProject(path.toStdString()).ok());

        app::MainWindow again;
        QVERIFY(again.openFile(path));
        views::DesignDocument &doc = *again.document();
        QCOMPARE(doc.design().graph.node(block)->repeat, std::int64_t(2)); // as saved
        auto *box = again.findChild<QMessageBox *>("openWarnings");
        QVERIFY(box && box->isVisible());
        QVERIFY2(box->informativeText().contains("block 'stage1.block0' repeats 2 times, but its body turns [1,64,56,56] into [1,256,56,56]"),
                 qPrintable(box->informativeText()));
        // an edit elsewhere waits, naming the block; saving waits; the repeat set back fixes both
        const auto fc = doc.design().graph.findByName("fc")->id;
        const Status elsewhere = doc.setAttribute(fc, "out_features", std::int64_t(10));
        QVERIFY2(!elsewhere.ok() && elsewhere.message().find("stage1.block0") != std::string::npos, elsewhere.message().c_str());
        QVERIFY(!doc.save(path, &error));
        QVERIFY2(error.contains("not saved, the previous file is untouched"), qPrintable(error));
        QVERIFY(doc.setRepeat(block, 1).ok());
        QVERIFY(doc.setAttribute(fc, "out_features", std::int64_t(10)).ok());
        QVERIFY2(doc.save(path, &error), qPrintable(error));
        QVERIFY(store::openProject(path.toStdString()).ok());
    }

    // An ONNX model with an operator Seaside does not model opens, and the studio says which.
    void onnxImportWarningsAreShown() {
        const QString model = QString(SEASIDE_ONNX_TESTDATA) + "/node/test_dft/model.onnx";
        if (!QFile::exists(model))
            QSKIP("libonnx-testdata is not installed: runs wherever build.sh installed it, as in CI");
        app::MainWindow w;
        QVERIFY(w.openFile(model));
        auto *box = w.findChild<QMessageBox *>("openWarnings");
        QVERIFY(box && box->isVisible());
        QVERIFY2(box->informativeText().contains("operator 'DFT'") && box->informativeText().contains("not modelled"),
                 qPrintable(box->informativeText()));
    }

    void autosaveAndCrashRecovery() {
        const QString recovery = m_dir.filePath("recovery");
        const QString original = m_dir.filePath("mine.seaside");
        plan::Design edited;
        {
            views::DesignDocument doc;
            QString error;
            QVERIFY(doc.load(QString(SEASIDE_PROJECTS_DIR) + "/gcn-fpga.json", {}, &error));
            QVERIFY(doc.save(original, &error));
            const QByteArray saved = [&] { QFile f(original); f.open(QIODevice::ReadOnly); return f.readAll(); }();
            app::Autosave autosave(&doc, recovery);
            QVERIFY(autosave.autosaveNow().isEmpty()); // nothing unsaved, nothing written
            doc.setLayerDevice(doc.design().graph.findByName("conv1")->id, "host");
            const QString file = autosave.autosaveNow();
            QVERIFY(QFile::exists(file));
            QVERIFY(autosave.orphanedRecoveries().isEmpty()); // its own session is alive
            edited = doc.design();
            autosave.abandon(); // the process dies here
            QFile f(original);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), saved); // the user's file was never written by the autosave
        }
        views::DesignDocument next;
        app::Autosave again(&next, recovery);
        const QStringList left = again.orphanedRecoveries();
        QCOMPARE(left.size(), 1);
        QString error;
        QVERIFY(again.recover(left.first(), &error));
        QCOMPARE(next.design().placement, edited.placement);
        QVERIFY(next.design().graph == edited.graph);
        QVERIFY(next.filePath().isEmpty()); // Save asks where: the original is not overwritten silently
        QVERIFY(next.isModified());
        QVERIFY(next.displayName().contains("mine.seaside"));
        QVERIFY(next.displayName().contains("recovered"));
        QVERIFY(again.orphanedRecoveries().isEmpty());
    }

    void preferencesApplyAndPersist() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/mixtral-moe-on-gpus.json"));
        app::StudioSettings s;
        s.dark = true;
        s.units.time = "s";
        s.units.energy = "mJ";
        w.applySettings(s);
        QVERIFY(w.statusText().contains(" s   energy"));
        QVERIFY(w.statusText().contains(" mJ"));
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        const app::StudioSettings back = app::StudioSettings::load();
        QVERIFY(back.dark);
        QCOMPARE(back.units.time, QString("s"));
        w.applySettings(app::StudioSettings{}); // light, auto units: leave the defaults for the other tests
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        QVERIFY(!app::StudioSettings::load().dark);
    }

    void exportsWriteRealFiles() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/eeg-encoder-edge.json"));
        const QString png = m_dir.filePath("canvas.png"), svg = m_dir.filePath("canvas.svg"), csv = m_dir.filePath("est.csv");
        QVERIFY(w.graphView()->exportPng(png));
        QImage image(png);
        QVERIFY(!image.isNull() && image.width() > 100 && image.height() > 500);
        QVERIFY(w.graphView()->exportSvg(svg));
        QFile s(svg);
        QVERIFY(s.open(QIODevice::ReadOnly));
        const QByteArray svgText = s.readAll();
        QVERIFY(svgText.contains("<svg") && svgText.contains("block1.conv"));
        QVERIFY(w.exportEstimateCsv(csv));
        QFile c(csv);
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QString("layer,kind,device,start_s,latency_s,energy_j,weight_bytes,bound,source"));
        QCOMPARE(lines.size(), 1 + 21); // every layer but the input and output
        QVERIFY(lines[1].startsWith("block1.conv,conv,edge,"));
    }

    void findByNameKindAndAttribute() {
        app::MainWindow w;
        QVERIFY(w.openFile(QString(SEASIDE_PROJECTS_DIR) + "/dynasplit-vgg16-edge-cloud.json"));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        app::FindBar *find = w.findBar();
        find->setQuery("conv3");
        QCOMPARE(find->matches().size(), std::size_t(3)); // conv3_1..3
        find->setQuery("pool");
        QCOMPARE(find->matches().size(), std::size_t(5));
        find->setQuery("out_channels=512");
        QCOMPARE(find->matches().size(), std::size_t(6)); // conv4_* and conv5_*
        const auto &g = w.document()->design().graph;
        QVERIFY(w.graphView()->itemFor(find->matches()[0])->isSelected());
        find->next();
        QVERIFY(w.graphView()->itemFor(find->matches()[1])->isSelected());
        find->previous();
        find->previous(); // wraps to the last
        QVERIFY(w.graphView()->itemFor(find->matches()[5])->isSelected());
        QCOMPARE(g.node(find->matches()[5])->name, std::string("conv5_3"));
        find->setQuery("no-such-layer");
        QVERIFY(find->matches().empty());
    }
};

QTEST_MAIN(TestStudioFiles)
#include "tst_studio_files.moc"
