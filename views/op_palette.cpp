#include "op_palette.h"

#include "graph/op_kind.h"

#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QVBoxLayout>

namespace seaside::views {

namespace {
// A list whose items drag out as op kinds.
class OpList : public QListWidget {
public:
    using QListWidget::QListWidget;

protected:
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override {
        auto *m = new QMimeData;
        if (!items.isEmpty())
            m->setData(OpPalette::kMime, items.first()->data(Qt::UserRole).toString().toUtf8());
        return m;
    }
    QStringList mimeTypes() const override { return {OpPalette::kMime}; }
};
} // namespace

OpPalette::OpPalette(QWidget *parent) : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Search operators"));
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);
    m_list = new OpList(this);
    m_list->setDragEnabled(true);
    m_list->setDragDropMode(QAbstractItemView::DragOnly);
    for (int k = 0; k < graph::kOpKindCount; ++k) {
        const auto kind = graph::OpKind(k);
        if (kind == graph::OpKind::Block || kind == graph::OpKind::Custom || kind == graph::OpKind::Constant)
            continue; // blocks come from grouping; custom ops from imports
        const QString name = QString::fromStdString(std::string(graph::opKindName(kind)));
        auto *item = new QListWidgetItem(name, m_list);
        item->setData(Qt::UserRole, name);
        item->setToolTip(tr("Drag onto the canvas to add a %1 layer").arg(name));
    }
    layout->addWidget(m_list, 1);
    connect(m_filter, &QLineEdit::textChanged, this, &OpPalette::setFilter);
}

void OpPalette::setFilter(const QString &text) {
    if (m_filter->text() != text)
        m_filter->setText(text);
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setHidden(!m_list->item(i)->text().contains(text, Qt::CaseInsensitive));
}

int OpPalette::visibleCount() const {
    int n = 0;
    for (int i = 0; i < m_list->count(); ++i)
        n += !m_list->item(i)->isHidden();
    return n;
}

} // namespace seaside::views
