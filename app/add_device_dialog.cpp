#include "add_device_dialog.h"

#include "hw/catalogue.h"
#include "plan/design_summary.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace seaside::app {

namespace {
QString bestPeak(const hw::DeviceSpec &d) {
    QString text;
    for (const auto &[t, v] : d.peakOps)
        text += QStringLiteral("%1 %2 ").arg(QString::fromStdString(std::string(graph::dtypeName(t))),
                                             QString::fromStdString(plan::humanCount(v) + "op/s"));
    return text.trimmed();
}

std::string freeName(const hw::Platform &p, const std::string &base) {
    for (int i = 0;; ++i) {
        const std::string name = base + std::to_string(i);
        if (!p.device(name))
            return name;
    }
}
} // namespace

AddDeviceDialog::AddDeviceDialog(const hw::Platform &platform, QWidget *parent) : QDialog(parent), m_platform(platform) {
    setWindowTitle(tr("Add a device from the catalogue"));
    resize(980, 560);
    auto *layout = new QVBoxLayout(this);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Search: name, kind, vendor"));
    layout->addWidget(m_filter);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(5);
    m_tree->setHeaderLabels({tr("Device"), tr("Peak"), tr("Memory"), tr("Power (idle / max)"), tr("Source")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    layout->addWidget(m_tree, 1);
    for (const char *kind : {"gpu", "fpga", "cpu", "npu"}) {
        auto *group = new QTreeWidgetItem(m_tree, {QString(kind).toUpper()});
        group->setFlags(Qt::ItemIsEnabled);
        for (const auto &d : hw::defaultCatalogue().devices) {
            if (hw::deviceKindName(d.kind) != kind)
                continue;
            auto *item = new QTreeWidgetItem(
                group, {QString::fromStdString(d.name), bestPeak(d),
                        QString::fromStdString(plan::humanCount(d.memCapacity) + "B at " + plan::humanCount(d.memBandwidth) + "B/s"),
                        QStringLiteral("%1 / %2 W").arg(d.idlePower).arg(d.maxPower), QString::fromStdString(d.source)});
            item->setData(0, Qt::UserRole, QString::fromStdString(d.id));
            item->setToolTip(4, QString::fromStdString(d.source));
        }
        group->setExpanded(true);
    }
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    form->addRow(tr("Name on the platform:"), m_name);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_filter, &QLineEdit::textChanged, this, &AddDeviceDialog::setFilter);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item || !item->data(0, Qt::UserRole).isValid())
            return;
        const auto *spec = hw::defaultCatalogue().device(item->data(0, Qt::UserRole).toString().toStdString());
        m_name->setText(QString::fromStdString(freeName(m_platform, std::string(hw::deviceKindName(spec->kind)))));
    });
}

void AddDeviceDialog::setFilter(const QString &text) {
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_tree->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem *item = group->child(i);
            const bool hit = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive) ||
                             group->text(0).contains(text, Qt::CaseInsensitive);
            item->setHidden(!hit);
        }
    }
}

int AddDeviceDialog::visibleDevices() const {
    int n = 0;
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g)
        for (int i = 0; i < m_tree->topLevelItem(g)->childCount(); ++i)
            n += !m_tree->topLevelItem(g)->child(i)->isHidden();
    return n;
}

bool AddDeviceDialog::select(const std::string &catalogueId) {
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g)
        for (int i = 0; i < m_tree->topLevelItem(g)->childCount(); ++i)
            if (m_tree->topLevelItem(g)->child(i)->data(0, Qt::UserRole).toString().toStdString() == catalogueId) {
                m_tree->setCurrentItem(m_tree->topLevelItem(g)->child(i));
                return true;
            }
    return false;
}

hw::DeviceInstance AddDeviceDialog::device() const {
    hw::DeviceInstance d;
    QTreeWidgetItem *item = m_tree->currentItem();
    if (!item || !item->data(0, Qt::UserRole).isValid())
        return d;
    d.spec = *hw::defaultCatalogue().device(item->data(0, Qt::UserRole).toString().toStdString());
    d.id = m_name->text().trimmed().toStdString();
    return d;
}

AddLinkDialog::AddLinkDialog(const hw::Platform &platform, QWidget *parent) : QDialog(parent), m_platform(platform) {
    setWindowTitle(tr("Link two devices"));
    auto *form = new QFormLayout(this);
    m_a = new QComboBox(this);
    m_b = new QComboBox(this);
    for (const auto &d : platform.devices) {
        m_a->addItem(QString::fromStdString(d.id));
        m_b->addItem(QString::fromStdString(d.id));
    }
    if (m_b->count() > 1)
        m_b->setCurrentIndex(1);
    m_kind = new QComboBox(this);
    for (const auto &l : hw::defaultCatalogue().links)
        m_kind->addItem(QString::fromStdString(l.name + "  (" + plan::humanCount(l.bandwidth) + "B/s)"), QString::fromStdString(l.id));
    form->addRow(tr("From:"), m_a);
    form->addRow(tr("To:"), m_b);
    form->addRow(tr("Link:"), m_kind);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

hw::LinkInstance AddLinkDialog::link() const {
    hw::LinkInstance l;
    l.a = m_a->currentText().toStdString();
    l.b = m_b->currentText().toStdString();
    l.id = l.a + "-" + l.b;
    if (const auto *spec = hw::defaultCatalogue().link(m_kind->currentData().toString().toStdString()))
        l.spec = *spec;
    return l;
}

} // namespace seaside::app
