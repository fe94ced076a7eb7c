#include "autosave.h"

#include "design_document.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUuid>

namespace seaside::app {

Autosave::Autosave(views::DesignDocument *doc, const QString &dir, QObject *parent) : QObject(parent), m_doc(doc) {
    m_dir = dir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/recovery" : dir;
    QDir().mkpath(m_dir);
    const QString session = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_file = m_dir + "/" + session + ".seaside";
    m_lock = std::make_unique<QLockFile>(m_dir + "/" + session + ".lock");
    m_lock->setStaleLockTime(0); // stale only when its process is gone
    m_lock->tryLock(0);
    connect(&m_timer, &QTimer::timeout, this, &Autosave::autosaveNow);
    setIntervalMinutes(3);
    // a save by the user makes the recovery copy obsolete
    connect(doc->undoStack(), &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (clean)
            QFile::remove(m_file);
    });
}

Autosave::~Autosave() {
    if (m_lock)
        discard();
}

void Autosave::setIntervalMinutes(double minutes) { m_timer.start(int(minutes * 60000)); }

QString Autosave::autosaveNow() {
    if (!m_doc->isModified())
        return {};
    QString error;
    return m_doc->saveCopy(m_file, &error) ? m_file : QString();
}

QStringList Autosave::orphanedRecoveries() const {
    QStringList out;
    for (const QFileInfo &f : QDir(m_dir).entryInfoList({"*.seaside"}, QDir::Files, QDir::Time)) {
        if (f.absoluteFilePath() == QFileInfo(m_file).absoluteFilePath())
            continue;
        QLockFile lock(m_dir + "/" + f.completeBaseName() + ".lock");
        lock.setStaleLockTime(0);
        if (lock.tryLock(0)) { // nobody holds it: its session is gone
            lock.unlock();
            out << f.absoluteFilePath();
        }
    }
    return out;
}

bool Autosave::recover(const QString &file, QString *error) {
    if (!m_doc->load(file, {}, error))
        return false;
    m_doc->detachFromFile(QFileInfo(file).completeBaseName());
    QFile::remove(file);
    QFile::remove(m_dir + "/" + QFileInfo(file).completeBaseName() + ".lock");
    return true;
}

void Autosave::discard() {
    QFile::remove(m_file);
    m_lock.reset(); // unlocks and removes the lock file
}

void Autosave::abandon() {
    m_timer.stop();
    m_lock->unlock(); // as if the process had died: the recovery file stays
    m_lock.reset();
}

} // namespace seaside::app
