#pragma once
// The undoable edits of a design's graph. Each stores only what it changes (a node with its
// edges, placement and position), so a long history of a 10,000-node design stays small.
#include "plan/design.h"

#include <QUndoCommand>
#include <optional>
#include <vector>

namespace seaside::views {

class DesignDocument;

/// A node, everything attached to it, as it was: what removing it must be able to restore.
struct NodeSnapshot {
    graph::Node node;
    std::vector<graph::Edge> edges;
    std::optional<plan::LayerConfig> config;
    std::optional<plan::Position> position;
    std::size_t index = SIZE_MAX; // where it stood in the graph's node list
};

class AddNodesCommand : public QUndoCommand {
public:
    AddNodesCommand(DesignDocument *doc, std::vector<NodeSnapshot> nodes, std::vector<graph::Edge> extraEdges, const QString &text);
    void redo() override;
    void undo() override;

private:
    DesignDocument *m_doc;
    std::vector<NodeSnapshot> m_nodes;
    std::vector<graph::Edge> m_extraEdges; // edges between the added nodes and the rest, added after all nodes
};

class RemoveNodesCommand : public QUndoCommand {
public:
    RemoveNodesCommand(DesignDocument *doc, std::vector<NodeSnapshot> nodes, const QString &text);
    void redo() override;
    void undo() override;

private:
    DesignDocument *m_doc;
    std::vector<NodeSnapshot> m_nodes;
};

class ConnectCommand : public QUndoCommand {
public:
    ConnectCommand(DesignDocument *doc, graph::Edge edge, bool connect, const QString &text);
    void redo() override;
    void undo() override;

private:
    DesignDocument *m_doc;
    graph::Edge m_edge;
    bool m_connect;
};

/// A node dragged on the canvas: consecutive moves of the same nodes merge into one step.
class MoveNodesCommand : public QUndoCommand {
public:
    MoveNodesCommand(DesignDocument *doc, std::vector<std::pair<graph::NodeId, plan::Position>> before,
                     std::vector<std::pair<graph::NodeId, plan::Position>> after);
    void redo() override;
    void undo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    DesignDocument *m_doc;
    std::vector<std::pair<graph::NodeId, plan::Position>> m_before, m_after;
};

class SetAttributeCommand : public QUndoCommand {
public:
    SetAttributeCommand(DesignDocument *doc, graph::NodeId id, std::string key, std::optional<graph::AttrValue> before,
                        graph::AttrValue after, const QString &text);
    void redo() override;
    void undo() override;

private:
    DesignDocument *m_doc;
    graph::NodeId m_id;
    std::string m_key;
    std::optional<graph::AttrValue> m_before;
    graph::AttrValue m_after;
};

} // namespace seaside::views
