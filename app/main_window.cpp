#include "main_window.h"

#include "design_document.h"
#include "estimate_controller.h"
#include "estimate_panel.h"
#include "export/estimate_csv.h"
#include "add_device_dialog.h"
#include "autosave.h"
#include "device_editor.h"
#include "settings.h"
#include "device_list.h"
#include "find_bar.h"
#include "minimap.h"
#include "op_palette.h"
#include "platform_view.h"
#include "graph/templates/templates.h"
#include "device_palette.h"
#include "graph/node_metrics.h"
#include "graph_view.h"
#include "plan/design_summary.h"
#include "property_panel.h"

#include <QAction>
#include "plan/auto_layout.h"

#include <QClipboard>
#include <QFutureWatcher>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>
#include <QCloseEvent>
#include <QGuiApplication>
#include <QMimeData>
#include <QFile>
#include <QUndoView>
#include <QVBoxLayout>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QStatusBar>

namespace seaside::app {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) {
    m_doc = new views::DesignDocument(this);
    m_view = new views::GraphView(m_doc, this);
    m_find = new FindBar(m_doc, m_view, this);
    m_find->hide();
    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    centreLayout->addWidget(m_find);
    centreLayout->addWidget(m_view, 1);
    setCentralWidget(centre);

    m_devices = new views::DeviceList(this);
    auto *devDock = new QDockWidget(tr("Devices"), this);
    devDock->setObjectName("devicesDock");
    devDock->setWidget(m_devices);
    m_devices->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, devDock);
    m_palette = new views::OpPalette(this);
    auto *paletteDock = new QDockWidget(tr("Operators"), this);
    paletteDock->setObjectName("paletteDock");
    paletteDock->setWidget(m_palette);
    addDockWidget(Qt::LeftDockWidgetArea, paletteDock);

    m_properties = new PropertyPanel(m_doc, this);
    auto *propDock = new QDockWidget(tr("Properties"), this);
    propDock->setObjectName("propertiesDock");
    propDock->setWidget(m_properties);
    m_properties->setMinimumWidth(300);
    addDockWidget(Qt::RightDockWidgetArea, propDock);

    m_estimatePanel = new views::EstimatePanel(this);
    auto *estDock = new QDockWidget(tr("Estimate"), this);
    estDock->setObjectName("estimateDock");
    estDock->setWidget(m_estimatePanel);
    addDockWidget(Qt::BottomDockWidgetArea, estDock);
    resizeDocks({estDock}, {330}, Qt::Vertical);
    m_estimates = new EstimateController(m_doc, this);
    connect(m_estimates, &EstimateController::estimateChanged, this, &MainWindow::showEstimate);
    connect(m_estimatePanel, &views::EstimatePanel::reportRequested, this,
            [this] { m_estimatePanel->setReport(m_estimates->reportText()); });
    // the property panel shows the layer's device: keep it in step with undo and redo
    connect(m_doc, &views::DesignDocument::layersChanged, this, [this](const std::vector<graph::NodeId> &ids) {
        if (std::find(ids.begin(), ids.end(), m_properties->shownNode()) != ids.end())
            QMetaObject::invokeMethod(m_properties, [this] { m_properties->showNode(m_properties->shownNode()); }, Qt::QueuedConnection);
    });

    m_platformView = new views::PlatformView(m_doc, this);
    auto *platformDock = new QDockWidget(tr("Platform"), this);
    platformDock->setObjectName("platformDock");
    platformDock->setWidget(m_platformView);
    addDockWidget(Qt::LeftDockWidgetArea, platformDock);
    tabifyDockWidget(devDock, platformDock);
    devDock->raise();
    connect(m_platformView, &views::PlatformView::deviceActivated, this, [this](const QString &id) {
        DeviceEditor editor(m_doc->design().platform.device(id.toStdString())->spec, this);
        if (editor.exec() == QDialog::Accepted)
            if (Status s = m_doc->editDevice(id.toStdString(), editor.spec()); !s)
                QMessageBox::warning(this, tr("Device figures refused"), QString::fromStdString(s.message()));
    });

    auto *history = new QDockWidget(tr("History"), this);
    history->setObjectName("historyDock");
    history->setWidget(new QUndoView(m_doc->undoStack(), this));
    addDockWidget(Qt::RightDockWidgetArea, history);
    tabifyDockWidget(propDock, history);
    propDock->raise();
    connect(m_doc->undoStack(), &QUndoStack::cleanChanged, this, [this](bool clean) { setWindowModified(!clean); });

    m_totals = new QLabel(this);
    statusBar()->addPermanentWidget(m_totals);

    connect(m_view, &views::GraphView::nodeSelected, m_properties, &PropertyPanel::showNode);
    connect(m_view, &views::GraphView::message, this, [this](const QString &m) { statusBar()->showMessage(m, 6000); });
    connect(m_properties, &PropertyPanel::message, this, [this](const QString &m) { statusBar()->showMessage(m, 6000); });
    connect(m_doc, &views::DesignDocument::graphChanged, this, [this] {
        QMetaObject::invokeMethod(m_properties, [this] { m_properties->showNode(m_properties->shownNode()); }, Qt::QueuedConnection);
    });
    connect(m_doc, &views::DesignDocument::designReset, this, &MainWindow::refresh);
    connect(m_doc, &views::DesignDocument::designReset, this, &MainWindow::updateTitle);
    connect(m_doc, &views::DesignDocument::platformChanged, this, &MainWindow::refresh);
    m_autosave = new Autosave(m_doc, {}, this);
    m_autosave->setIntervalMinutes(QSettings().value("autosave/minutes", 3.0).toDouble());
    buildMenus();
    resize(1400, 900);
    // window geometry and dock layout as the user left them
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    updateTitle();
    refresh();
    applySettings(StudioSettings::load());
}

void MainWindow::closeEvent(QCloseEvent *e) {
    if (m_doc->isModified()) {
        const auto answer = QMessageBox::question(this, tr("Unsaved changes"), tr("Save the changes to this design?"),
                                                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !saveDesign())) {
            e->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    m_autosave->discard();
    e->accept();
}

// Lays the graph out on a worker thread (10,000 nodes take well under a second with the layered
// layout), with a progress dialog that can cancel it; the result is one undoable move.
void MainWindow::relayout(bool leftToRight) {
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    auto graph = std::make_shared<const graph::Graph>(m_doc->design().graph);
    auto *progress = new QProgressDialog(tr("Laying out %n node(s)…", nullptr, int(graph->size())), tr("Cancel"), 0, 0, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    auto *watcher = new QFutureWatcher<Expected<std::map<graph::NodeId, plan::Position>>>(this);
    connect(progress, &QProgressDialog::canceled, this, [cancel] { cancel->store(true); });
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, progress, graph] {
        const auto result = watcher->result();
        progress->deleteLater();
        watcher->deleteLater();
        if (!result) {
            statusBar()->showMessage(QString::fromStdString(result.error().message), 4000);
            return;
        }
        std::vector<std::pair<graph::NodeId, plan::Position>> to(result->begin(), result->end());
        m_doc->moveNodes(to);
        m_view->fitAll();
    });
    watcher->setFuture(QtConcurrent::run([graph, cancel, leftToRight] {
        plan::LayoutOptions opts;
        opts.leftToRight = leftToRight;
        opts.cancel = cancel.get();
        return plan::autoLayout(*graph, opts);
    }));
}

void MainWindow::applySettings(const StudioSettings &s) {
    m_units = s.units;
    m_estimatePanel->setUnits(s.units);
    applyTheme(s.dark);
    m_view->setBackgroundBrush(s.dark ? QColor("#2B2D30") : QColor("#FAFAFA"));
    m_view->minimap()->setBackgroundBrush(s.dark ? QColor(30, 31, 34, 235) : QColor(250, 250, 250, 235));
    m_estimatePanel->setDark(s.dark);
    s.save();
    showEstimate();
}

void MainWindow::offerRecovery() {
    const QStringList files = m_autosave->orphanedRecoveries();
    if (files.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Recover unsaved work?"),
        tr("Seaside found unsaved work from a session that ended unexpectedly (%n file(s)). Open the most recent one? "
           "It opens as a new, unsaved design: your saved files are not changed.",
           nullptr, int(files.size())));
    if (answer != QMessageBox::Yes)
        return;
    QString error;
    if (!m_autosave->recover(files.first(), &error))
        QMessageBox::warning(this, tr("Cannot recover"), error);
}

void MainWindow::updateTitle() {
    setWindowTitle(QStringLiteral("%1[*] — Seaside").arg(m_doc->displayName()));
    setWindowModified(m_doc->isModified());
}

bool MainWindow::saveDesign() {
    if (m_doc->filePath().isEmpty())
        return saveDesignAs();
    QString error;
    if (!m_doc->save(m_doc->filePath(), &error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(m_doc->filePath()), 4000);
    updateTitle();
    return true;
}

bool MainWindow::saveDesignAs() {
    QString path = QFileDialog::getSaveFileName(this, tr("Save design"), {}, tr("Seaside projects (*.seaside)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(".seaside"))
        path += ".seaside";
    QString error;
    if (!m_doc->save(path, &error)) {
        QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    rememberRecent(path);
    updateTitle();
    return true;
}

void MainWindow::exportCanvas(bool svg) {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export canvas"), {}, svg ? tr("SVG (*.svg)") : tr("PNG (*.png)"));
    if (!path.isEmpty() && !(svg ? m_view->exportSvg(path) : m_view->exportPng(path)))
        QMessageBox::warning(this, tr("Cannot export"), tr("Could not write %1").arg(path));
}

bool MainWindow::exportEstimateCsv(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(QByteArray::fromStdString(exporting::estimateCsv(m_doc->design(), m_estimates->estimate()))) >= 0;
}

void MainWindow::buildMenus() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, [this] { m_doc->newDesign(); });
    QMenu *fromTemplate = file->addMenu(tr("&New from Template"));
    for (const auto &t : graph::templates::templateList())
        fromTemplate->addAction(QString::fromStdString(t.title), this, [this, id = t.id] {
            QString error;
            if (!m_doc->newFromTemplate(id, &error))
                QMessageBox::warning(this, tr("Cannot create"), error);
            updateTitle();
        })->setToolTip(QString::fromStdString(t.source));
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openDialog);
    m_recent = file->addMenu(tr("Open &Recent"));
    connect(m_recent, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addAction(tr("&Import ONNX…"), QKeySequence(tr("Ctrl+I")), this, &MainWindow::importOnnxDialog);
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::saveDesign);
    file->addAction(tr("Save &As…"), QKeySequence(tr("Ctrl+Shift+S")), this, &MainWindow::saveDesignAs);
    QMenu *exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Canvas as &PNG…"), this, [this] { exportCanvas(false); });
    exportMenu->addAction(tr("Canvas as &SVG…"), this, [this] { exportCanvas(true); });
    exportMenu->addAction(tr("Estimate as &CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export estimate"), {}, tr("CSV (*.csv)"));
        if (!path.isEmpty() && !exportEstimateCsv(path))
            QMessageBox::warning(this, tr("Cannot export"), tr("Could not write %1").arg(path));
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_doc->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_doc->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence(tr("Ctrl+Shift+Z")));
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(tr("&Copy"), QKeySequence::Copy, this, [this] {
        auto *mime = new QMimeData;
        mime->setData("application/x-seaside-nodes", QByteArray::fromStdString(m_doc->copyNodes(m_view->selectedNodes())));
        QGuiApplication::clipboard()->setMimeData(mime);
    });
    edit->addAction(tr("&Paste"), QKeySequence::Paste, this, [this] {
        const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
        QString error;
        if (mime && mime->hasFormat("application/x-seaside-nodes") &&
            m_doc->pasteNodes(mime->data("application/x-seaside-nodes").toStdString(), {40, 40}, &error).empty() && !error.isEmpty())
            statusBar()->showMessage(error, 6000);
    });
    edit->addAction(tr("&Duplicate"), QKeySequence(tr("Ctrl+D")), this, [this] { m_doc->duplicateNodes(m_view->selectedNodes()); });
    edit->addAction(tr("&Delete"), QKeySequence::Delete, this, [this] { m_doc->removeNodes(m_view->selectedNodes()); });
    edit->addAction(tr("&Group into Block"), QKeySequence(tr("Ctrl+G")), this, [this] {
        if (auto b = m_doc->groupIntoBlock(m_view->selectedNodes()); !b)
            statusBar()->showMessage(QString::fromStdString(b.error().message), 6000);
    });
    edit->addAction(tr("E&xpand or Collapse Block"), QKeySequence(tr("Ctrl+E")), this, [this] {
        for (graph::NodeId id : m_view->selectedNodes()) {
            auto it = m_doc->design().layout.find(id);
            m_doc->setBlockExpanded(id, it == m_doc->design().layout.end() || !it->second.expanded);
        }
    });
    edit->addAction(tr("&Ungroup Block"), QKeySequence(tr("Ctrl+Shift+G")), this, [this] {
        for (graph::NodeId id : m_view->selectedNodes())
            if (Status s = m_doc->ungroupBlock(id); !s)
                statusBar()->showMessage(QString::fromStdString(s.message()), 6000);
    });
    edit->addSeparator();
    edit->addAction(tr("&Find…"), QKeySequence::Find, m_find, &FindBar::activate);
    edit->addSeparator();
    edit->addAction(tr("&Preferences…"), QKeySequence::Preferences, this, [this] {
        SettingsDialog dialog(StudioSettings::load(), this);
        if (dialog.exec() == QDialog::Accepted)
            applySettings(dialog.settings());
    });
    QMenu *platform = menuBar()->addMenu(tr("&Platform"));
    platform->addAction(tr("&Add Device…"), QKeySequence(tr("Ctrl+Shift+D")), this, [this] {
        AddDeviceDialog dialog(m_doc->design().platform, this);
        if (dialog.exec() == QDialog::Accepted)
            if (Status s = m_doc->addDevice(dialog.device()); !s)
                QMessageBox::warning(this, tr("Cannot add the device"), QString::fromStdString(s.message()));
    });
    platform->addAction(tr("Add &Link…"), this, [this] {
        AddLinkDialog dialog(m_doc->design().platform, this);
        if (dialog.exec() == QDialog::Accepted)
            if (Status s = m_doc->addLink(dialog.link()); !s)
                QMessageBox::warning(this, tr("Cannot add the link"), QString::fromStdString(s.message()));
    });
    platform->addAction(tr("Add &Custom Device…"), this, [this] {
        hw::DeviceSpec blank;
        blank.id = "custom";
        blank.name = "Custom accelerator";
        blank.peakOps = {{graph::DType::F32, 10e12}};
        blank.memCapacity = 16e9;
        blank.memBandwidth = 500e9;
        blank.idlePower = 20;
        blank.maxPower = 150;
        DeviceEditor editor(blank, this);
        if (editor.exec() != QDialog::Accepted)
            return;
        std::string id = "custom0";
        for (int i = 1; m_doc->design().platform.device(id); ++i)
            id = "custom" + std::to_string(i);
        hw::DeviceInstance custom;
        custom.id = id;
        custom.spec = editor.spec();
        if (Status s = m_doc->addDevice(custom); !s)
            QMessageBox::warning(this, tr("Device figures refused"), QString::fromStdString(s.message()));
    });
    platform->addAction(tr("&Edit Selected Device…"), this, [this] {
        auto *item = m_devices->currentItem();
        if (!item || !item->data(Qt::UserRole).isValid())
            return;
        const std::string id = item->data(Qt::UserRole).toString().toStdString();
        DeviceEditor editor(m_doc->design().platform.device(id)->spec, this);
        if (editor.exec() == QDialog::Accepted)
            if (Status s = m_doc->editDevice(id, editor.spec()); !s)
                QMessageBox::warning(this, tr("Device figures refused"), QString::fromStdString(s.message()));
    });
    platform->addAction(tr("&Remove Selected Device"), this, [this] {
        if (auto *item = m_devices->currentItem(); item && item->data(Qt::UserRole).isValid())
            m_doc->removeDevice(item->data(Qt::UserRole).toString().toStdString());
    });
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Fit to Window"), QKeySequence(tr("Ctrl+0")), m_view, &views::GraphView::fitAll);
    view->addAction(tr("Zoom &In"), QKeySequence::ZoomIn, m_view, [this] { m_view->scale(1.25, 1.25); });
    view->addAction(tr("Zoom &Out"), QKeySequence::ZoomOut, m_view, [this] { m_view->scale(0.8, 0.8); });
    view->addAction(tr("Auto &Layout, Top-Down"), QKeySequence(tr("Ctrl+L")), this, [this] { relayout(false); });
    view->addAction(tr("Auto Layout, &Left-Right"), QKeySequence(tr("Ctrl+Shift+L")), this, [this] { relayout(true); });
}

bool MainWindow::openFile(const QString &path) {
    QString error;
    QStringList warnings;
    graph::OnnxImportOptions onnx;
    // An ONNX model with dynamic dimensions: ask for them until the import succeeds or the user gives up.
    while (!m_doc->load(path, onnx, &error, &warnings)) {
        if (error.contains("--input")) {
            bool ok = false;
            const QString spec = QInputDialog::getText(this, tr("Dynamic input shape"),
                                                       error + tr("\n\nShape (NAME=d0,d1,...):"), QLineEdit::Normal, {}, &ok);
            if (ok) {
                auto parsed = graph::parseInputShape(spec.toStdString());
                if (parsed) {
                    onnx.inputShapes[parsed->first] = parsed->second;
                    continue;
                }
                error = QString::fromStdString(parsed.error().message);
            }
        }
        QMessageBox::warning(this, tr("Cannot open"), error);
        return false;
    }
    rememberRecent(path);
    updateTitle();
    if (!warnings.isEmpty()) { // not modal: the design is open behind it, to be looked at and fixed
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Opened with warnings"),
                                    tr("%1 opened, with warnings:").arg(QFileInfo(path).fileName()), QMessageBox::Ok, this);
        box->setObjectName("openWarnings");
        box->setInformativeText(warnings.join("\n\n"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    return true;
}

void MainWindow::openDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open design"), {},
                                                      tr("Seaside designs (*.seaside *.json *.onnx);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::importOnnxDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import ONNX model"), {}, tr("ONNX models (*.onnx)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::rememberRecent(const QString &path) {
    QSettings s;
    QStringList recent = s.value("recentFiles").toStringList();
    recent.removeAll(QFileInfo(path).absoluteFilePath());
    recent.prepend(QFileInfo(path).absoluteFilePath());
    s.setValue("recentFiles", recent.mid(0, 10));
}

void MainWindow::fillRecentMenu() {
    m_recent->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (const QString &p : recent)
        m_recent->addAction(QFileInfo(p).fileName(), this, [this, p] { openFile(p); })->setToolTip(p);
    if (recent.isEmpty())
        m_recent->addAction(tr("(none)"))->setEnabled(false);
}

QString MainWindow::statusText() const {
    const auto m = graph::graphMetrics(m_doc->design().graph);
    const auto &e = m_estimates->estimate();
    return tr("%1 nodes   params %2   MACs %3   latency %4   energy %5%6")
        .arg(m_doc->design().graph.size())
        .arg(QString::fromStdString(plan::humanCount(m.params)))
        .arg(QString::fromStdString(plan::humanCount(m.macs)))
        .arg(m_units.formatTime(e.latency))
        .arg(m_units.formatEnergy(e.energy))
        .arg(e.failures.empty() ? QString() : tr("   %1 failures").arg(e.failures.size()));
}

void MainWindow::showEstimate() {
    m_estimatePanel->showEstimate(m_doc->design(), m_estimates->estimate());
    m_view->showEstimate(m_estimates->estimate());
    m_totals->setText(statusText());
    if (m_estimatePanel->reportVisible())
        m_estimatePanel->setReport(m_estimates->reportText());
}

void MainWindow::refresh() {
    m_devices->clear();
    const auto &d = m_doc->design();
    for (const auto &dev : d.platform.devices) {
        QPixmap swatch(14, 14);
        swatch.fill(views::deviceColor(d.platform, dev.id));
        auto *item = new QListWidgetItem(QIcon(swatch), QStringLiteral("%1  —  %2").arg(
                                                            QString::fromStdString(dev.id), QString::fromStdString(dev.spec.name)));
        item->setData(Qt::UserRole, QString::fromStdString(dev.id));
        // the full name too: a narrow dock clips it
        item->setToolTip(tr("%1\nDrag onto a layer (or a selection) to place it here\nsource: %2")
                             .arg(QString::fromStdString(dev.spec.name), QString::fromStdString(dev.spec.source)));
        m_devices->addItem(item);
    }
    QPixmap none(14, 14);
    none.fill(views::unplacedColor());
    m_devices->addItem(new QListWidgetItem(QIcon(none), tr("(unplaced)")));
    m_properties->clear();
}

} // namespace seaside::app
