#pragma once
#include "graph/import/onnx_import.h"
#include "plan/design.h"

#include <QObject>
#include <QString>
#include <QPointF>
#include <QUndoStack>
#include <optional>
#include <vector>

namespace seaside::views {

struct NodeSnapshot;

/// Owns the open design and its undo stack. Views read it and call its methods; they never
/// hold their own copy of the model.
class DesignDocument : public QObject {
    Q_OBJECT
public:
    explicit DesignDocument(QObject *parent = nullptr);

    const plan::Design &design() const { return m_design; }
    const QString &filePath() const { return m_path; }
    QUndoStack *undoStack() { return &m_undo; }

    /// Loads any file Seaside reads (.seaside, .json, .onnx); on failure the current design is kept
    /// and the error names the file and the reason.
    /// `warnings`: an ONNX import's, or the shape rules' refusal of a project that then opens as saved.
    bool load(const QString &path, const graph::OnnxImportOptions &onnx, QString *error, QStringList *warnings = nullptr);
    /// Replaces the design (a new document: an import or a template); positions are laid out.
    void reset(plan::Design design, const QString &path, const QString &sourceName = {});
    /// What the window calls this design: the project file, else the file it came from, else its name.
    QString displayName() const;
    bool save(const QString &path, QString *error);
    /// Writes the design elsewhere (autosave) without touching its path or unsaved state.
    bool saveCopy(const QString &path, QString *error) const;
    /// A recovered or imported design: no file to save over, and unsaved changes to keep.
    void detachFromFile(const QString &sourceName);
    /// An empty design: one input, no platform.
    void newDesign();
    /// A new, unsaved design built from a model template (graph/templates), laid out.
    bool newFromTemplate(const std::string &templateId, QString *error);
    bool isModified() const { return !m_undo.isClean(); }

    /// Places a layer on a device ("" unplaces it), as one undoable step.
    void setLayerDevice(graph::NodeId id, const std::string &deviceId);
    /// A layer's whole config (device, precision, sparsity, FPGA options), one undo step.
    void setLayerConfig(graph::NodeId id, const plan::LayerConfig &cfg, const QString &text);
    /// Platform edits: undoable; removing a device unplaces its layers (undo places them back).
    Status addDevice(const hw::DeviceInstance &device);
    void removeDevice(const std::string &id);
    Status addLink(const hw::LinkInstance &link);
    /// New figures for a device on the platform (a custom device, or corrected datasheet values).
    Status editDevice(const std::string &id, const hw::DeviceSpec &spec);
    void applyPlatform(const hw::Platform &platform, const std::map<graph::NodeId, plan::LayerConfig> &placement);

    /// Several layers at once (a selection, or a device dropped on it): one undo step.
    void setLayerDevices(const std::vector<graph::NodeId> &ids, const std::string &deviceId);

    // Graph edits, each one undoable step; a refused edit returns why and changes nothing.
    graph::NodeId addLayer(graph::OpKind kind, plan::Position at);
    void removeNodes(const std::vector<graph::NodeId> &ids);
    /// Connects src's output 0 to dst's next free input; refused when it would close a cycle or
    /// give an impossible shape.
    Status connectNodes(graph::NodeId src, graph::NodeId dst);
    void disconnect(const graph::Edge &e);
    void moveNodes(const std::vector<std::pair<graph::NodeId, plan::Position>> &to);
    /// The selected nodes with the edges among them, their placement and positions, as text
    /// for the clipboard; paste adds them back as new nodes (fresh ids and names), shifted.
    std::string copyNodes(const std::vector<graph::NodeId> &ids) const;
    std::vector<graph::NodeId> pasteNodes(const std::string &clip, plan::Position offset, QString *error = nullptr);
    std::vector<graph::NodeId> duplicateNodes(const std::vector<graph::NodeId> &ids);
    /// Groups layers into a block (its body holds them; inputs and outputs become the block's
    /// ports). Refused when the selection is not one piece of the flow (grouping would make a cycle).
    Expected<graph::NodeId> groupIntoBlock(const std::vector<graph::NodeId> &ids);
    /// Puts a block's layers back in the graph (a block repeated once only).
    Status ungroupBlock(graph::NodeId block);
    Status setRepeat(graph::NodeId block, std::int64_t repeat);
    /// Shows a block's body open on the canvas, or folds it (kept in the file's layout).
    void setBlockExpanded(graph::NodeId block, bool expanded);
    void applyRepeat(graph::NodeId block, std::int64_t repeat);
    /// Refused (with the reason) when the value is negative or zero where a size is expected, or
    /// when shapes can no longer be inferred.
    Status setAttribute(graph::NodeId id, const std::string &key, const graph::AttrValue &value);

    // For the undo commands themselves: apply without recording.
    void applyLayerConfig(graph::NodeId id, const std::optional<plan::LayerConfig> &cfg);
    void applyInsert(const std::vector<NodeSnapshot> &nodes, const std::vector<graph::Edge> &edges);
    void applyRemove(const std::vector<graph::NodeId> &ids);
    void applyEdge(const graph::Edge &e, bool add);
    void applyPositions(const std::vector<std::pair<graph::NodeId, plan::Position>> &to);
    void applyAttribute(graph::NodeId id, const std::string &key, const std::optional<graph::AttrValue> &value);

signals:
    void designReset();
    /// The placement or per-layer config of these layers changed (graph and platform did not).
    void layersChanged(const std::vector<graph::NodeId> &ids);
    /// Nodes or edges were added or removed, or attributes changed: shapes were re-inferred.
    void graphChanged();
    /// Devices or links were added or removed (placement may have changed with them).
    void platformChanged();
    /// Only canvas positions changed.
    void positionsChanged(const std::vector<graph::NodeId> &ids);

private:
    void ensureLayout();
    NodeSnapshot snapshot(graph::NodeId id) const;
    std::string uniqueName(const std::string &base) const;

    plan::Design m_design;
    QString m_path;
    QString m_source; // the imported file's name (a .json or .onnx is not saved over)
    QUndoStack m_undo;
};

} // namespace seaside::views
