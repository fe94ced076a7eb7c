#include "property_panel.h"

#include "design_document.h"
#include "graph/node_metrics.h"
#include "plan/design_summary.h"

#include <QComboBox>
#include <QHeaderView>
#include <QSignalBlocker>
#include <optional>
#include <variant>

namespace seaside::app {

PropertyPanel::PropertyPanel(views::DesignDocument *doc, QWidget *parent) : QTreeWidget(parent), m_doc(doc) {
    setColumnCount(2);
    setHeaderLabels({tr("Property"), tr("Value")});
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    setRootIsDecorated(false);
    setAlternatingRowColors(true);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    connect(this, &QTreeWidget::itemChanged, this, &PropertyPanel::attributeEdited);
}

namespace {
// The text a user typed, read as the attribute's current type: "3,3" or "[3,3]" for sizes.
std::optional<graph::AttrValue> parseAs(const graph::AttrValue &current, const QString &text) {
    bool ok = false;
    if (std::holds_alternative<std::int64_t>(current)) {
        const qlonglong v = text.trimmed().toLongLong(&ok);
        return ok ? std::optional<graph::AttrValue>(std::int64_t(v)) : std::nullopt;
    }
    if (std::holds_alternative<double>(current)) {
        const double v = text.trimmed().toDouble(&ok);
        return ok ? std::optional<graph::AttrValue>(v) : std::nullopt;
    }
    if (std::holds_alternative<std::string>(current))
        return graph::AttrValue(text.trimmed().toStdString());
    QString list = text.trimmed();
    list.remove('[').remove(']');
    std::vector<std::int64_t> values;
    for (const QString &part : list.split(',', Qt::SkipEmptyParts)) {
        const qlonglong v = part.trimmed().toLongLong(&ok);
        if (!ok)
            return std::nullopt;
        values.push_back(v);
    }
    return graph::AttrValue(values);
}
} // namespace

void PropertyPanel::attributeEdited(QTreeWidgetItem *item, int column) {
    if (m_filling || column != 1 || !item->data(0, Qt::UserRole).isValid())
        return;
    const graph::Node *n = m_doc->design().graph.node(m_shown);
    const std::string key = item->data(0, Qt::UserRole).toString().toStdString();
    if (!n || !n->attrs.has(key))
        return;
    const auto value = parseAs(n->attrs.all().find(key)->second, item->text(1));
    const graph::NodeId id = m_shown;
    Status s = value ? m_doc->setAttribute(id, key, *value) : Status(makeError("'" + item->text(1).toStdString() + "' is not a valid " + key));
    if (!s) {
        emit message(QString::fromStdString(s.message()));
    }
    // refill after the edit (or to put the old value back), once the item's editor is gone
    QMetaObject::invokeMethod(this, [this, id] { showNode(id); }, Qt::QueuedConnection);
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
    const QSignalBlocker quiet(this);
    m_filling = true;
    clear();
    m_shown = id;
    const plan::Design &d = m_doc->design();
    const graph::Node *n = d.graph.node(id);
    if (!n) {
        m_filling = false;
        return;
    }
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
        // precision and sparsity: per-layer config the cost models read
        const plan::LayerConfig cfg = placed == d.placement.end() ? plan::LayerConfig{} : placed->second;
        auto configCombo = [&](const QString &label, const char *name, const QStringList &values, const QString &current,
                               auto apply) {
            row(label, current);
            auto *c = new QComboBox(this);
            c->setObjectName(name);
            c->addItems(values);
            c->setCurrentIndex(std::max(0, c->findText(current)));
            setItemWidget(topLevelItem(topLevelItemCount() - 1), 1, c);
            connect(c, &QComboBox::currentTextChanged, this, [this, id, apply](const QString &text) {
                auto it = m_doc->design().placement.find(id);
                plan::LayerConfig next = it == m_doc->design().placement.end() ? plan::LayerConfig{} : it->second;
                apply(next, text);
                m_doc->setLayerConfig(id, next, tr("Configure %1").arg(QString::fromStdString(m_doc->design().graph.node(id)->name)));
            });
        };
        configCombo(tr("Precision"), "dtypeCombo", {tr("(graph)"), "fp32", "fp16", "bf16", "int8", "int4"},
                    cfg.dtype.empty() ? tr("(graph)") : QString::fromStdString(cfg.dtype),
                    [](plan::LayerConfig &c, const QString &t) { c.dtype = t.startsWith('(') ? std::string() : t.toStdString(); });
        configCombo(tr("Sparsity"), "sparsityCombo", {"dense", "2:4", "samoyeds"},
                    QString::fromStdString(cfg.options.getString("sparsity", "dense")),
                    [](plan::LayerConfig &c, const QString &t) {
                        if (t == "dense")
                            c.options.erase("sparsity");
                        else
                            c.options.set("sparsity", t.toStdString());
                    });
    }
    for (const auto &[k, v] : n->attrs.all()) {
        row(QString::fromStdString(k), attrText(v));
        QTreeWidgetItem *item = topLevelItem(topLevelItemCount() - 1);
        item->setData(0, Qt::UserRole, QString::fromStdString(k));
        item->setFlags(item->flags() | Qt::ItemIsEditable); // double-click to edit; validated by the document
    }
    m_filling = false;
}

} // namespace seaside::app
