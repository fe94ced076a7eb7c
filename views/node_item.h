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

    void setFill(QColor fill);
    /// The layer's share of the slowest layer's latency (0..1), drawn as a heat strip.
    void setCostShare(double share);
    /// A precheck failure on this layer: a red outline, the reason as the tooltip ("" clears it).
    void setFailure(const QString &reason);
    QPointF outPort() const { return pos() + QPointF(0, kHeight / 2); }

private:
    graph::NodeId m_id;
    QString m_title;
    QString m_subtitle;
    QColor m_fill;
    bool m_block;
    double m_share = 0;
    QString m_failure;
    QString m_baseTooltip;
};

} // namespace seaside::views
