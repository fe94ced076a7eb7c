#pragma once
#include "settings.h"

#include <QMainWindow>

class QLabel;
class QListWidget;
class QMenu;

namespace seaside::views {
class DesignDocument;
class OpPalette;
class PlatformView;
class EstimatePanel;
class GraphView;
} // namespace seaside::views

namespace seaside::app {

class Autosave;
class EstimateController;
class FindBar;
class PropertyPanel;

/// The studio's shell: canvas in the centre, devices and properties docked, totals below.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    /// Opens a .seaside, .json or .onnx file; shows an error (and keeps the current design) on failure.
    bool openFile(const QString &path);
    views::DesignDocument *document() const { return m_doc; }
    views::GraphView *graphView() const { return m_view; }
    QString statusText() const;
    PropertyPanel *propertyPanel() const { return m_properties; }
    views::EstimatePanel *estimatePanel() const { return m_estimatePanel; }
    views::PlatformView *platformView() const { return m_platformView; }
    EstimateController *estimates() const { return m_estimates; }
    FindBar *findBar() const { return m_find; }
    Autosave *autosave() const { return m_autosave; }
    /// After a crash: offers the unsaved work the last session left behind.
    void offerRecovery();
    void relayout(bool leftToRight);
    void applySettings(const StudioSettings &s);
    bool saveDesign();
    bool saveDesignAs();
    bool exportEstimateCsv(const QString &path);

protected:
    void closeEvent(QCloseEvent *e) override;

private:
    void buildMenus();
    void openDialog();
    void importOnnxDialog();
    void refresh();
    void showEstimate();
    void updateTitle();
    void exportCanvas(bool svg);
    void rememberRecent(const QString &path);
    void fillRecentMenu();

    views::DesignDocument *m_doc;
    views::GraphView *m_view;
    QListWidget *m_devices;
    PropertyPanel *m_properties;
    EstimateController *m_estimates;
    FindBar *m_find;
    views::OpPalette *m_palette;
    views::PlatformView *m_platformView;
    Autosave *m_autosave;
    views::Units m_units;
    views::EstimatePanel *m_estimatePanel;
    QLabel *m_totals;
    QMenu *m_recent = nullptr;
};

} // namespace seaside::app
