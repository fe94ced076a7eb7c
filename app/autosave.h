#pragma once
#include <QLockFile>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <memory>

namespace seaside::views {
class DesignDocument;
}

namespace seaside::app {

/// Writes the open design to a recovery file every few minutes while it has unsaved changes,
/// and offers those files again after a crash. It never writes the user's own file: a
/// recovered design opens unsaved, to be saved where the user says.
class Autosave : public QObject {
    Q_OBJECT
public:
    /// `dir`: where recovery files live (default: the app's data folder /recovery).
    Autosave(views::DesignDocument *doc, const QString &dir = {}, QObject *parent = nullptr);
    ~Autosave() override;

    void setIntervalMinutes(double minutes);
    /// Writes the recovery copy now if there is anything unsaved; returns its path or "".
    QString autosaveNow();
    /// Recovery files left by sessions that ended without closing cleanly.
    QStringList orphanedRecoveries() const;
    /// Opens a recovered copy into the document (unsaved, no file path) and removes it.
    bool recover(const QString &file, QString *error);
    /// A clean end: this session's recovery file is no longer needed.
    void discard();
    /// For tests: end as a crash would, leaving the recovery file behind.
    void abandon();

private:
    views::DesignDocument *m_doc;
    QString m_dir, m_file;
    std::unique_ptr<QLockFile> m_lock; // held while this session runs: its recovery file is not an orphan
    QTimer m_timer;
};

} // namespace seaside::app
