#include "property_panel.h"

#include "design_document.h"
#include "graph/node_metrics.h"
#include "plan/design_summary.h"

#include <QComboBox>
#include <QHeaderView>
#include <variant>

namespace seaside::app {

PropertyPanel::PropertyPanel(views::DesignDocument *doc, QWidget *parent) : QTreeWidget(parent), m_doc(doc) {
    setColumnCount(2);
    setHeaderLabels({tr("Property"), tr("Value")});
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    setRootIsDecorated(false);
    setAlternatingRowColors(true);
}

namespace {
QString attrText(const graph::AttrValue &v) {
    return std::visit(
        [](const auto &x) -> QString {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>)
                return QString::fromStdString(x);
            else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>)
                return QString::fromStdString(graph::shapeString(x));
            else
                return QString::number(x);
        },
        v);
}
} // namespace

void PropertyPanel::showNode(graph::NodeId id) {
    clear();
    m_shown = id;
    const plan::Design &d = m_doc->design();
    const graph::Node *n = d.graph.node(id);
    if (!n)
        return;
    auto row = [this](const QString &k, const QString &v) { addTopLevelItem(new QTreeWidgetItem({k, v})); };
    row(tr("Name"), QString::fromStdString(n->name));
    row(tr("Kind"), QString::fromStdString(std::string(graph::opKindName(n->kind))));
    if (!n->opType.empty())
        row(tr("Operator"), QString::fromStdString(n->opType));
    if (n->kind == graph::OpKind::Block)
        row(tr("Repeat"), QString::number(n->repeat));
    for (std::size_t i = 0; i < n->outputs.size(); ++i)
        row(tr("Output %1").arg(i),
            QString::fromStdString(graph::shapeString(n->outputs[i].shape) + " " +
                                   std::string(graph::dtypeName(n->outputs[i].dtype))));
    const graph::NodeMetrics m = graph::nodeMetrics(d.graph, *n);
    row(tr("Parameters"), QString::fromStdString(plan::humanCount(m.params)));
    row(tr("MACs"), QString::fromStdString(plan::humanCount(m.macs)));
    row(tr("Bytes read"), QString::fromStdString(plan::humanCount(m.bytesRead) + "B"));
    row(tr("Bytes written"), QString::fromStdString(plan::humanCount(m.bytesWritten) + "B"));
    auto placed = d.placement.find(id);
    const QString current = placed == d.placement.end() ? QString() : QString::fromStdString(placed->second.device);
    row(tr("Device"), current.isEmpty() ? tr("(unplaced)") : current);
    if (n->kind != graph::OpKind::Input && n->kind != graph::OpKind::Output) {
        // the device is chosen here; the change is one undoable step on the document
        auto *combo = new QComboBox(this);
        combo->setObjectName("deviceCombo");
        combo->addItem(tr("(unplaced)"), QString());
        for (const auto &dev : d.platform.devices)
            combo->addItem(QString::fromStdString(dev.id + "  " + dev.spec.name), QString::fromStdString(dev.id));
        combo->setCurrentIndex(std::max(0, combo->findData(current)));
        setItemWidget(topLevelItem(topLevelItemCount() - 1), 1, combo);
        connect(combo, &QComboBox::currentIndexChanged, this, [this, id, combo] {
            m_doc->setLayerDevice(id, combo->currentData().toString().toStdString());
        });
    }
    for (const auto &[k, v] : n->attrs.all())
        row(QString::fromStdString(k), attrText(v));
}

} // namespace seaside::app
