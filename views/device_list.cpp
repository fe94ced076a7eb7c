#include "device_list.h"

#include "op_palette.h"

#include <QMimeData>

namespace seaside::views {

DeviceList::DeviceList(QWidget *parent) : QListWidget(parent) {
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    // A long datasheet name wraps inside the dock instead of hiding behind a horizontal scrollbar.
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWordWrap(true);
}

QMimeData *DeviceList::mimeData(const QList<QListWidgetItem *> &items) const {
    auto *m = new QMimeData;
    if (!items.isEmpty())
        m->setData(kDeviceMime, items.first()->data(Qt::UserRole).toString().toUtf8());
    return m;
}

QStringList DeviceList::mimeTypes() const { return {kDeviceMime}; }

} // namespace seaside::views
