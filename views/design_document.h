#pragma once
#include "graph/import/onnx_import.h"
#include "plan/design.h"

#include <QObject>
#include <QString>
#include <QUndoStack>
#include <optional>
#include <vector>

namespace seaside::views {

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
    bool load(const QString &path, const graph::OnnxImportOptions &onnx, QString *error);
    /// Replaces the design (a new document: an import or a template); positions are laid out.
    void reset(plan::Design design, const QString &path, const QString &sourceName = {});
    /// What the window calls this design: the project file, else the file it came from, else its name.
    QString displayName() const;
    bool save(const QString &path, QString *error);
    /// A new, unsaved design built from a model template (graph/templates), laid out.
    bool newFromTemplate(const std::string &templateId, QString *error);
    bool isModified() const { return !m_undo.isClean(); }

    /// Places a layer on a device ("" unplaces it), as one undoable step.
    void setLayerDevice(graph::NodeId id, const std::string &deviceId);
    /// Applies a layer's config without recording it: for the undo commands themselves.
    void applyLayerConfig(graph::NodeId id, const std::optional<plan::LayerConfig> &cfg);

signals:
    void designReset();
    /// The placement or per-layer config of these layers changed (graph and platform did not).
    void layersChanged(const std::vector<graph::NodeId> &ids);

private:
    void ensureLayout();

    plan::Design m_design;
    QString m_path;
    QString m_source; // the imported file's name (a .json or .onnx is not saved over)
    QUndoStack m_undo;
};

} // namespace seaside::views
