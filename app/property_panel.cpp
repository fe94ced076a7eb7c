#include "property_panel.h"

#include "design_document.h"
#include "eliding_combo_box.h"
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

// "unroll=64, tile=[64,64,64], mode=max": ints, numbers, lists of ints and words.
std::optional<graph::Attrs> parseOptions(const QString &text, QString *bad) {
    graph::Attrs out;
    QString rest = text;
    // split on commas outside brackets
    QStringList parts;
    int depth = 0, start = 0;
    for (int i = 0; i <= rest.size(); ++i) {
        if (i == rest.size() || (rest[i] == ',' && depth == 0)) {
            if (!rest.mid(start, i - start).trimmed().isEmpty())
                parts << rest.mid(start, i - start).trimmed();
            start = i + 1;
        } else if (rest[i] == '[') {
            ++depth;
        } else if (rest[i] == ']') {
            --depth;
        }
    }
    for (const QString &p : parts) {
        const int eq = p.indexOf('=');
        if (eq <= 0) {
            *bad = p;
            return std::nullopt;
        }
        const std::string key = p.left(eq).trimmed().toStdString();
        const QString v = p.mid(eq + 1).trimmed();
        bool ok = false;
        if (v.startsWith('[')) {
            std::vector<std::int64_t> list;
            for (const QString &x : v.mid(1, v.size() - 2).split(',', Qt::SkipEmptyParts)) {
                list.push_back(x.trimmed().toLongLong(&ok));
                if (!ok) {
                    *bad = p;
                    return std::nullopt;
                }
            }
            out.set(key, list);
        } else if (const qlonglong i = v.toLongLong(&ok); ok) {
            out.set(key, std::int64_t(i));
        } else if (const double d = v.toDouble(&ok); ok) {
            out.set(key, d);
        } else {
            out.set(key, v.toStdString());
        }
    }
    return out;
}

void PropertyPanel::attributeEdited(QTreeWidgetItem *item, int column) {
    if (!m_filling && column == 1 && item->data(0, Qt::UserRole + 2).toBool()) { // a block's repeat count
        const graph::NodeId id = m_shown;
        bool ok = false;
        const qlonglong n = item->text(1).trimmed().toLongLong(&ok);
        Status s = ok ? m_doc->setRepeat(id, n) : Status(makeError("the repeat count is a whole number"));
        if (!s)
            emit message(QString::fromStdString(s.message()));
        QMetaObject::invokeMethod(this, [this, id] { showNode(id); }, Qt::QueuedConnection);
        return;
    }
    if (!m_filling && column == 1 && item->data(0, Qt::UserRole + 1).toBool()) {
        const graph::NodeId id = m_shown;
        QString bad;
        auto opts = parseOptions(item->text(1), &bad);
        if (!opts) {
            emit message(tr("'%1' is not key=value").arg(bad));
        } else {
            auto it = m_doc->design().placement.find(id);
            plan::LayerConfig next = it == m_doc->design().placement.end() ? plan::LayerConfig{} : it->second;
            const std::string sparsity = next.options.getString("sparsity");
            next.options = *opts;
            if (!sparsity.empty())
                next.options.set("sparsity", sparsity);
            m_doc->setLayerConfig(id, next, tr("Options of %1").arg(QString::fromStdString(m_doc->design().graph.node(id)->name)));
        }
        QMetaObject::invokeMethod(this, [this, id] { showNode(id); }, Qt::QueuedConnection);
        return;
    }
    if (m_filling || column != 1 || !item->data(0, Qt::UserRole).isValid())
        return;
    const graph::Node *n = m_doc->design().graph.node(m_shown);
    const std::string key = item->data(0, Qt::UserRole).toString().toStdString();
    if (!n || !n->attrs.has(key))
        return;
    const auto value = parseAs(n->attrs.all().find(key)->second, item->text(1));
    const graph::NodeId id = m_shown;
    // the message built in Qt: GCC 12's -Wrestrict misfires on "..." + std::string&& (its bug 105329)
    Status s = value ? m_doc->setAttribute(id, key, *value)
                     : Status(makeError(QString("'%1' is not a valid %2").arg(item->text(1), QString::fromStdString(key)).toStdString()));
    if (!s) {
        emit message(QString::fromStdString(s.message()));
    }
    // refill after the edit (or to put the old value back), once the item's editor is gone
    QMetaObject::invokeMethod(this, [this, id] { showNode(id); }, Qt::QueuedConnection);
}

namespace {
QString attrText(const graph::AttrValue &v) { return QString::fromStdString(graph::attrToString(v)); }
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
    if (n->kind == graph::OpKind::Block) {
        row(tr("Repeat"), QString::number(n->repeat));
        QTreeWidgetItem *repeatRow = topLevelItem(topLevelItemCount() - 1);
        repeatRow->setData(0, Qt::UserRole + 2, true);
        repeatRow->setFlags(repeatRow->flags() | Qt::ItemIsEditable);
    }
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
        auto *combo = new views::ElidingComboBox(this);
        combo->setObjectName("deviceCombo");
        combo->addItem(tr("(unplaced)"), QString());
        for (const auto &dev : d.platform.devices) {
            const QString label = QString::fromStdString(dev.id + "  " + dev.spec.name);
            combo->addItem(label, QString::fromStdString(dev.id));
            combo->setItemData(combo->count() - 1, label, Qt::ToolTipRole);
        }
        combo->setCurrentIndex(std::max(0, combo->findData(current)));
        // the column is narrower than long catalogue names: the closed box shows the id first and
        // the name cut with "…", the list and the tooltip the whole name
        combo->setToolTip(combo->currentText());
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
        // the other per-layer options (FPGA customisations, DVFS level, ...) as key=value text
        QStringList opts;
        for (const auto &[k, v] : cfg.options.all())
            if (k != "sparsity")
                opts << QString::fromStdString(k) + "=" + attrText(v);
        row(tr("Options"), opts.join(", "));
        QTreeWidgetItem *optionsRow = topLevelItem(topLevelItemCount() - 1);
        optionsRow->setData(0, Qt::UserRole + 1, true);
        optionsRow->setFlags(optionsRow->flags() | Qt::ItemIsEditable);
        optionsRow->setToolTip(1, tr("e.g. unroll=64, pipeline_ii=1, tile=[64,64,64], freq_hz=1.2e9, weights_on_the_fly=1"));
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
