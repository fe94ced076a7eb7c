#pragma once
#include "graph/import/onnx_import.h"
#include "plan/design.h"

#include <QObject>
#include <QString>
#include <QUndoStack>

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
    void reset(plan::Design design, const QString &path);
    bool save(const QString &path, QString *error);

signals:
    void designReset();

private:
    void ensureLayout();

    plan::Design m_design;
    QString m_path;
    QUndoStack m_undo;
};

} // namespace seaside::views
