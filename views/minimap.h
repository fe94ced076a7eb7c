#pragma once
#include <QGraphicsView>

namespace seaside::views {

class GraphView;

/// A small overview of the whole canvas in the corner of the view: the visible area drawn as
/// a frame; clicking or dragging in it moves the view there.
class Minimap : public QGraphicsView {
    Q_OBJECT
public:
    explicit Minimap(GraphView *view);
    void refit(); // after the scene changed size
    QRectF visibleArea() const;

protected:
    void drawForeground(QPainter *p, const QRectF &rect) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;
    void showEvent(QShowEvent *e) override;
    void resizeEvent(QResizeEvent *e) override;

private:
    GraphView *m_view;
};

} // namespace seaside::views
