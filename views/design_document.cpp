#include "design_document.h"

#include "graph/templates/templates.h"
#include "plan/auto_layout.h"
#include "store/load_design.h"
#include "store/project_store.h"

#include <QFileInfo>
#include <QUndoCommand>

namespace seaside::views {

DesignDocument::DesignDocument(QObject *parent) : QObject(parent) {}

bool DesignDocument::load(const QString &path, const graph::OnnxImportOptions &onnx, QString *error) {
    auto d = store::loadDesign(path.toStdString(), onnx);
    if (!d) {
        if (error)
            *error = QString::fromStdString(d.error().message);
        return false;
    }
    const bool project = store::looksLikeSqlite(path.toStdString());
    reset(std::move(*d), project ? path : QString(), QFileInfo(path).fileName());
    return true;
}

void DesignDocument::reset(plan::Design design, const QString &path, const QString &sourceName) {
    m_design = std::move(design);
    m_path = path;
    m_source = sourceName;
    ensureLayout();
    m_undo.clear();
    emit designReset();
}

QString DesignDocument::displayName() const {
    if (!m_path.isEmpty())
        return QFileInfo(m_path).fileName();
    if (!m_source.isEmpty())
        return m_source;
    return m_design.name.empty() ? tr("untitled") : QString::fromStdString(m_design.name);
}

bool DesignDocument::save(const QString &path, QString *error) {
    if (Status s = store::saveProject(m_design, path.toStdString()); !s) {
        if (error)
            *error = QString::fromStdString(s.message());
        return false;
    }
    m_path = path;
    m_undo.setClean();
    return true;
}

namespace {
// Swaps a layer's config (absent = no placement entry) between two states.
class LayerConfigCommand : public QUndoCommand {
public:
    LayerConfigCommand(DesignDocument *doc, graph::NodeId id, std::optional<plan::LayerConfig> before,
                       std::optional<plan::LayerConfig> after, const QString &text)
        : QUndoCommand(text), m_doc(doc), m_id(id), m_before(std::move(before)), m_after(std::move(after)) {}
    void undo() override { m_doc->applyLayerConfig(m_id, m_before); }
    void redo() override { m_doc->applyLayerConfig(m_id, m_after); }

private:
    DesignDocument *m_doc;
    graph::NodeId m_id;
    std::optional<plan::LayerConfig> m_before, m_after;
};
} // namespace

void DesignDocument::setLayerDevice(graph::NodeId id, const std::string &deviceId) {
    const graph::Node *n = m_design.graph.node(id);
    if (!n)
        return;
    auto it = m_design.placement.find(id);
    std::optional<plan::LayerConfig> before;
    if (it != m_design.placement.end())
        before = it->second;
    plan::LayerConfig next = before.value_or(plan::LayerConfig{});
    if (next.device == deviceId && before)
        return;
    next.device = deviceId;
    const QString text = deviceId.empty() ? tr("Unplace %1").arg(QString::fromStdString(n->name))
                                          : tr("Place %1 on %2").arg(QString::fromStdString(n->name), QString::fromStdString(deviceId));
    m_undo.push(new LayerConfigCommand(this, id, before, next, text));
}

void DesignDocument::applyLayerConfig(graph::NodeId id, const std::optional<plan::LayerConfig> &cfg) {
    if (cfg)
        m_design.placement[id] = *cfg;
    else
        m_design.placement.erase(id);
    emit layersChanged({id});
}

bool DesignDocument::newFromTemplate(const std::string &templateId, QString *error) {
    auto g = graph::templates::buildTemplate(templateId);
    if (!g) {
        if (error)
            *error = QString::fromStdString(g.error().message);
        return false;
    }
    plan::Design d;
    d.name = templateId;
    d.metadata["template"] = templateId;
    d.graph = std::move(*g);
    reset(std::move(d), QString());
    return true;
}

void DesignDocument::ensureLayout() {
    bool complete = true;
    for (const auto &n : m_design.graph.nodes())
        complete = complete && m_design.layout.count(n.id);
    if (complete)
        return;
    if (auto pos = plan::autoLayout(m_design.graph))
        for (const auto &[id, p] : *pos)
            m_design.layout.try_emplace(id, p);
}

} // namespace seaside::views
