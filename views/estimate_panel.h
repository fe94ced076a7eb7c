#pragma once
#include "plan/design.h"
#include "plan/plan_estimate.h"
#include "units.h"

#include <QWidget>

class QBarCategoryAxis;
class QBarSeries;
class QChart;
class QChartView;
class QHorizontalBarSeries;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTableWidget;
class QTabWidget;
class QValueAxis;

namespace seaside::views {

/// Totals, per-layer latency and energy bars (largest first), the per-device breakdown and
/// the precheck failures of the current estimate. It only formats what it is given.
class EstimatePanel : public QWidget {
    Q_OBJECT
public:
    explicit EstimatePanel(QWidget *parent = nullptr);

    void showEstimate(const plan::Design &d, const plan::PlanEstimate &e);
    void setUnits(const Units &u) { m_units = u; }
    void setDark(bool dark); // the charts follow the application's theme
    void setReport(const QString &text);
    bool reportVisible() const;

    QString totalsText() const;
    int failureCount() const;
    QStringList layerBarNames() const; // the latency chart's categories, largest first

signals:
    void reportRequested(); // the Report tab was opened: the owner fills it with setReport()

private:
    struct Bars {
        QChart *chart;
        QHorizontalBarSeries *series;
        QBarCategoryAxis *names;
        QValueAxis *values;
    };
    Bars makeBars(const QString &title, QChartView **view);
    static void styleBars(Bars &b);
    void fillBars(Bars &b, const QString &setName, const std::vector<std::pair<QString, double>> &rows);

    QLabel *m_totals;
    QTabWidget *m_tabs;
    Bars m_latency, m_energy, m_deviceBusy;
    QTableWidget *m_devices;
    QListWidget *m_failures;
    QPlainTextEdit *m_report;
    QStringList m_layerNames;
    Units m_units;
};

} // namespace seaside::views
