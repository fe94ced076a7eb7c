#include "graph_commands.h"

#include "design_document.h"

namespace seaside::views {

AddNodesCommand::AddNodesCommand(DesignDocument *doc, std::vector<NodeSnapshot> nodes, std::vector<graph::Edge> extraEdges,
                                 const QString &text)
    : QUndoCommand(text), m_doc(doc), m_nodes(std::move(nodes)), m_extraEdges(std::move(extraEdges)) {}

void AddNodesCommand::redo() {
    m_doc->applyInsert(m_nodes, m_extraEdges);
}

void AddNodesCommand::undo() {
    std::vector<graph::NodeId> ids;
    for (const auto &n : m_nodes)
        ids.push_back(n.node.id);
    m_doc->applyRemove(ids);
}

RemoveNodesCommand::RemoveNodesCommand(DesignDocument *doc, std::vector<NodeSnapshot> nodes, const QString &text)
    : QUndoCommand(text), m_doc(doc), m_nodes(std::move(nodes)) {}

void RemoveNodesCommand::redo() {
    std::vector<graph::NodeId> ids;
    for (const auto &n : m_nodes)
        ids.push_back(n.node.id);
    m_doc->applyRemove(ids);
}

void RemoveNodesCommand::undo() {
    // the snapshots carry every edge that touched them; re-adding them all restores the graph
    std::vector<graph::Edge> edges;
    for (const auto &n : m_nodes)
        edges.insert(edges.end(), n.edges.begin(), n.edges.end());
    std::vector<NodeSnapshot> bare = m_nodes;
    for (auto &b : bare)
        b.edges.clear();
    m_doc->applyInsert(bare, edges);
}

ConnectCommand::ConnectCommand(DesignDocument *doc, graph::Edge edge, bool connect, const QString &text)
    : QUndoCommand(text), m_doc(doc), m_edge(edge), m_connect(connect) {}

void ConnectCommand::redo() { m_doc->applyEdge(m_edge, m_connect); }
void ConnectCommand::undo() { m_doc->applyEdge(m_edge, !m_connect); }

MoveNodesCommand::MoveNodesCommand(DesignDocument *doc, std::vector<std::pair<graph::NodeId, plan::Position>> before,
                                   std::vector<std::pair<graph::NodeId, plan::Position>> after)
    : QUndoCommand(QObject::tr("Move %n node(s)", nullptr, int(after.size()))), m_doc(doc), m_before(std::move(before)),
      m_after(std::move(after)) {}

void MoveNodesCommand::redo() { m_doc->applyPositions(m_after); }
void MoveNodesCommand::undo() { m_doc->applyPositions(m_before); }

bool MoveNodesCommand::mergeWith(const QUndoCommand *other) {
    const auto *o = static_cast<const MoveNodesCommand *>(other);
    for (std::size_t i = 0; i < m_after.size() && i < o->m_after.size(); ++i)
        if (m_after[i].second.expanded != o->m_after[i].second.expanded)
            return false; // expanding a block is its own step, not part of a drag
    if (o->m_after.size() != m_after.size())
        return false;
    for (std::size_t i = 0; i < m_after.size(); ++i)
        if (o->m_after[i].first != m_after[i].first)
            return false;
    m_after = o->m_after; // one drag, one step: keep where it started, take where it ended
    return true;
}

SetAttributeCommand::SetAttributeCommand(DesignDocument *doc, graph::NodeId id, std::string key,
                                         std::optional<graph::AttrValue> before, graph::AttrValue after, const QString &text)
    : QUndoCommand(text), m_doc(doc), m_id(id), m_key(std::move(key)), m_before(std::move(before)), m_after(std::move(after)) {}

void SetAttributeCommand::redo() { m_doc->applyAttribute(m_id, m_key, m_after); }
void SetAttributeCommand::undo() { m_doc->applyAttribute(m_id, m_key, m_before); }

} // namespace seaside::views
