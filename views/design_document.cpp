#include "design_document.h"

#include "plan/auto_layout.h"
#include "store/load_design.h"
#include "store/project_store.h"

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
    reset(std::move(*d), project ? path : QString());
    return true;
}

void DesignDocument::reset(plan::Design design, const QString &path) {
    m_design = std::move(design);
    m_path = path;
    ensureLayout();
    m_undo.clear();
    emit designReset();
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
