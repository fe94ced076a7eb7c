#pragma once
#include "graph/graph.h"

#include <QColor>
#include <QGraphicsItem>

namespace seaside::views {

/// One node on the canvas: a rounded box in its device's colour with its name, kind and output
/// shape. Zoomed far out it draws the box only (level of detail).
class NodeItem : public QGraphicsItem {
public:
    static constexpr qreal kWidth = 170;
    static constexpr qreal kHeight = 48;

    NodeItem(const graph::Node &node, QColor fill);

    graph::NodeId nodeId() const { return m_id; }
    QRectF boundingRect() const override;
    void paint(QPainter *p, const QStyleOptionGraphicsItem *opt, QWidget *w) override;
    QPointF inPort() const { return pos() + QPointF(0, -kHeight / 2); }
    QPointF outPort() const { return pos() + QPointF(0, kHeight / 2); }

private:
    graph::NodeId m_id;
    QString m_title;
    QString m_subtitle;
    QColor m_fill;
    bool m_block;
};

} // namespace seaside::views
