#include "estimate_panel.h"

#include "device_palette.h"
#include "plan/design_summary.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFontDatabase>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>

namespace seaside::views {

namespace {
// bars per chart: the rest are in the table and the report. Ten left Qt Charts too little height
// per bar in the docked panel, and it then hid every other layer name.
constexpr int kTopLayers = 8;

} // namespace

EstimatePanel::EstimatePanel(QWidget *parent) : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_totals = new QLabel(this);
    m_totals->setTextFormat(Qt::RichText);
    m_totals->setWordWrap(true);
    layout->addWidget(m_totals);
    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs, 1);

    auto *layers = new QSplitter(Qt::Horizontal, this); // side by side: each chart gets the full height for its names
    QChartView *latencyView = nullptr, *energyView = nullptr, *busyView = nullptr;
    m_latency = makeBars(tr("Latency per layer (ms), largest first"), &latencyView);
    m_energy = makeBars(tr("Dynamic energy per layer (mJ), largest first"), &energyView);
    layers->addWidget(latencyView);
    layers->addWidget(energyView);
    m_tabs->addTab(layers, tr("Layers"));

    auto *devices = new QSplitter(Qt::Horizontal, this);
    m_deviceBusy = makeBars(tr("Busy time per device (ms) in one inference"), &busyView);
    devices->addWidget(busyView);
    m_devices = new QTableWidget(0, 6, this);
    m_devices->setHorizontalHeaderLabels({tr("Device"), tr("Layers"), tr("Busy"), tr("Utilisation"), tr("Energy"), tr("Memory / capacity")});
    m_devices->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_devices->verticalHeader()->hide();
    m_devices->setEditTriggers(QAbstractItemView::NoEditTriggers);
    devices->addWidget(m_devices);
    m_tabs->addTab(devices, tr("Devices"));

    m_failures = new QListWidget(this);
    m_failures->setWordWrap(true);
    m_tabs->addTab(m_failures, tr("Failures"));

    m_report = new QPlainTextEdit(this);
    m_report->setReadOnly(true);
    m_report->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_report->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_tabs->addTab(m_report, tr("Report"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (reportVisible())
            emit reportRequested();
    });
}

EstimatePanel::Bars EstimatePanel::makeBars(const QString &title, QChartView **view) {
    Bars b;
    b.chart = new QChart;
    b.chart->setTitle(title);
    b.chart->legend()->hide();
    b.chart->setAnimationOptions(QChart::NoAnimation); // updates arrive while the user edits
    b.chart->setMargins(QMargins(2, 2, 2, 2));
    b.series = new QHorizontalBarSeries;
    b.chart->addSeries(b.series);
    b.names = new QBarCategoryAxis;
    b.values = new QValueAxis;
    b.values->setLabelFormat("%.3g");
    b.chart->addAxis(b.names, Qt::AlignLeft);
    b.chart->addAxis(b.values, Qt::AlignBottom);
    styleBars(b);
    b.series->attachAxis(b.names);
    b.series->attachAxis(b.values);
    *view = new QChartView(b.chart, this);
    (*view)->setRenderHint(QPainter::Antialiasing);
    (*view)->setMinimumHeight(200);
    (*view)->setMinimumWidth(360);
    return b;
}

// Fonts after the chart's theme, which resets them: small labels so layer names fit.
void EstimatePanel::styleBars(Bars &b) {
    QFont small = b.names->labelsFont();
    small.setPointSizeF(8);
    b.names->setLabelsFont(small);
    b.names->setTruncateLabels(false); // layer names are the point of the chart
    b.values->setLabelsFont(small);
    QFont heading = b.chart->titleFont();
    heading.setPointSizeF(9);
    heading.setBold(true);
    b.chart->setTitleFont(heading);
}

void EstimatePanel::setDark(bool dark) {
    for (Bars *b : {&m_latency, &m_energy, &m_deviceBusy}) {
        b->chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        b->chart->legend()->hide();
        styleBars(*b);
        for (QBarSet *set : b->series->barSets())
            set->setColor(QColor("#4C78A8"));
    }
}

// Replaces the whole series: one new bar set, the categories reversed so the largest is on top.
void EstimatePanel::fillBars(Bars &b, const QString &setName, const std::vector<std::pair<QString, double>> &rows) {
    auto *set = new QBarSet(setName);
    QStringList names;
    double top = 0;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        *set << it->second;
        names << it->first;
        top = std::max(top, it->second);
    }
    set->setColor(QColor("#4C78A8"));
    b.series->clear();
    b.series->append(set);
    b.names->setCategories(names);
    b.values->setRange(0, top > 0 ? top * 1.05 : 1);
    b.values->applyNiceNumbers(); // ticks at 0, 20, 40 rather than 0, 16.9, 33.7
}

void EstimatePanel::showEstimate(const plan::Design &d, const plan::PlanEstimate &e) {
    std::vector<std::pair<QString, double>> latency, energy;
    for (const auto &l : e.layers) {
        const graph::Node *n = d.graph.node(l.node);
        if (!n || l.device < 0 || n->kind == graph::OpKind::Input || n->kind == graph::OpKind::Output)
            continue;
        latency.emplace_back(QString::fromStdString(n->name), l.cost.latency * 1e3);
        energy.emplace_back(QString::fromStdString(n->name), l.cost.energy * 1e3);
    }
    auto largestFirst = [](auto &v) {
        std::stable_sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
        if (v.size() > std::size_t(kTopLayers))
            v.resize(std::size_t(kTopLayers));
    };
    largestFirst(latency);
    largestFirst(energy);
    m_layerNames.clear();
    for (const auto &r : latency)
        m_layerNames << r.first;
    fillBars(m_latency, tr("latency (ms)"), latency);
    fillBars(m_energy, tr("energy (mJ)"), energy);

    std::vector<std::pair<QString, double>> busy;
    m_devices->setRowCount(int(e.devices.size()));
    for (std::size_t i = 0; i < e.devices.size(); ++i) {
        const auto &dv = e.devices[i];
        busy.emplace_back(QString::fromStdString(dv.id), dv.busy * 1e3);
        const QStringList cells{QString::fromStdString(dv.id),
                                QString::number(dv.layers),
                                m_units.formatTime(dv.busy),
                                QStringLiteral("%1 %").arg(e.latency > 0 ? 100 * dv.busy / e.latency : 0, 0, 'f', 1),
                                m_units.formatEnergy(dv.dynamicEnergy + dv.idleEnergy),
                                QString::fromStdString(plan::humanCount(dv.peakMemory) + "B / " + plan::humanCount(dv.capacity) + "B")};
        for (int c = 0; c < cells.size(); ++c)
            m_devices->setItem(int(i), c, new QTableWidgetItem(cells[c]));
        QPixmap swatch(12, 12);
        swatch.fill(deviceColor(d.platform, dv.id));
        m_devices->item(int(i), 0)->setIcon(QIcon(swatch));
    }
    std::stable_sort(busy.begin(), busy.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    fillBars(m_deviceBusy, tr("busy (ms)"), busy);

    m_failures->clear();
    for (const auto &f : e.failures) {
        auto *item = new QListWidgetItem(QStringLiteral("[%1] %2").arg(plan::failureKindName(f.kind), QString::fromStdString(f.message)));
        item->setForeground(QColor("#B71C1C"));
        m_failures->addItem(item);
    }
    m_tabs->setTabText(2, e.failures.empty() ? tr("Failures") : tr("Failures (%1)").arg(e.failures.size()));

    QString totals = tr("<b>Latency</b> %1 &nbsp; <b>Throughput</b> %2 /s &nbsp; <b>Energy</b> %3 per inference &nbsp; "
                        "<b>Bottleneck</b> %4")
                         .arg(m_units.formatTime(e.latency))
                         .arg(e.throughput, 0, 'f', 2)
                         .arg(m_units.formatEnergy(e.energy))
                         .arg(e.bottleneck.empty() ? QStringLiteral("-") : QString::fromStdString(e.bottleneck));
    if (!e.failures.empty())
        totals += tr(" &nbsp; <span style='color:#B71C1C'><b>%1 precheck failure(s)</b></span>").arg(e.failures.size());
    m_totals->setText(totals);
}

void EstimatePanel::setReport(const QString &text) { m_report->setPlainText(text); }
bool EstimatePanel::reportVisible() const { return m_tabs->currentWidget() == m_report; }
QString EstimatePanel::totalsText() const { return m_totals->text(); }
int EstimatePanel::failureCount() const { return m_failures->count(); }
QStringList EstimatePanel::layerBarNames() const { return m_layerNames; }

} // namespace seaside::views
