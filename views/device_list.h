#pragma once
#include <QListWidget>

namespace seaside::views {

/// The platform's devices with their colours: the canvas legend, and a source of drags — a
/// device dropped on a layer (or on a selection) places it there.
class DeviceList : public QListWidget {
    Q_OBJECT
public:
    explicit DeviceList(QWidget *parent = nullptr);

protected:
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override;
    QStringList mimeTypes() const override;
};

} // namespace seaside::views
