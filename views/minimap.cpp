#include "minimap.h"

#include "graph_view.h"

#include <QMouseEvent>
#include <QScrollBar>

namespace seaside::views {

Minimap::Minimap(GraphView *view) : QGraphicsView(view->scene(), view), m_view(view) {
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setInteractive(false);
    setFrameShape(QFrame::Box);
    setBackgroundBrush(QColor(250, 250, 250, 235));
    setRenderHint(QPainter::Antialiasing, false); // thousands of tiny boxes: speed over smoothness
    setToolTip(tr("Overview: click or drag to move the view"));
    resize(180, 140);
    auto follow = [this] { viewport()->update(); };
    connect(view->horizontalScrollBar(), &QScrollBar::valueChanged, this, follow);
    connect(view->verticalScrollBar(), &QScrollBar::valueChanged, this, follow);
}

void Minimap::refit() {
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    viewport()->update();
}

QRectF Minimap::visibleArea() const { return m_view->mapToScene(m_view->viewport()->rect()).boundingRect(); }

void Minimap::drawForeground(QPainter *p, const QRectF &) {
    p->setPen(QPen(QColor("#1F4E99"), 0)); // cosmetic: one pixel whatever the scale
    p->setBrush(QColor(31, 78, 153, 40));
    p->drawRect(visibleArea());
}

void Minimap::mousePressEvent(QMouseEvent *e) {
    m_view->centerOn(mapToScene(e->pos()));
    viewport()->update();
}

// fitting needs the final size: the first fit happens before the widget is shown
void Minimap::showEvent(QShowEvent *e) {
    QGraphicsView::showEvent(e);
    refit();
}

void Minimap::resizeEvent(QResizeEvent *e) {
    QGraphicsView::resizeEvent(e);
    refit();
}

void Minimap::mouseMoveEvent(QMouseEvent *e) {
    if (e->buttons() & Qt::LeftButton)
        mousePressEvent(e);
}

} // namespace seaside::views
