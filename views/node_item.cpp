#include "node_item.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <algorithm>

namespace seaside::views {

NodeItem::NodeItem(const graph::Node &node, QColor fill)
    : m_id(node.id), m_title(QString::fromStdString(node.name)), m_fill(fill), m_block(node.kind == graph::OpKind::Block) {
    QString kind = QString::fromStdString(std::string(graph::opKindName(node.kind)));
    if (node.kind == graph::OpKind::Custom && !node.opType.empty())
        kind = QString::fromStdString(node.opType);
    if (m_block)
        kind += QStringLiteral(" ×%1").arg(node.repeat);
    if (!node.outputs.empty())
        kind += QStringLiteral("  ") + QString::fromStdString(graph::shapeString(node.outputs[0].shape));
    m_subtitle = kind;
    setFlag(ItemIsSelectable);
    setFlag(ItemIsMovable);
    m_baseTooltip = m_title + QStringLiteral("\n") + m_subtitle;
    setToolTip(m_baseTooltip);
    setCacheMode(DeviceCoordinateCache);
}

void NodeItem::setFill(QColor fill) {
    if (fill == m_fill)
        return;
    m_fill = fill;
    update();
}

void NodeItem::setCostShare(double share) {
    share = std::clamp(share, 0.0, 1.0);
    if (share == m_share)
        return;
    m_share = share;
    update();
}

void NodeItem::setFailure(const QString &reason) {
    if (reason == m_failure)
        return;
    m_failure = reason;
    setToolTip(reason.isEmpty() ? m_baseTooltip : m_baseTooltip + QStringLiteral("\n\u26A0 ") + reason);
    update();
}

QRectF NodeItem::boundingRect() const { return {-kWidth / 2 - 2, -kHeight / 2 - 2, kWidth + 4, kHeight + 4}; }

void NodeItem::paint(QPainter *p, const QStyleOptionGraphicsItem *opt, QWidget *) {
    const QRectF r(-kWidth / 2, -kHeight / 2, kWidth, kHeight);
    const qreal lod = opt->levelOfDetailFromTransform(p->worldTransform());
    QPen pen(isSelected() ? QColor("#1F4E99") : QColor("#404040"), isSelected() ? 3 : (m_block ? 2 : 1));
    if (!m_failure.isEmpty())
        pen = QPen(QColor("#C62828"), 3, Qt::DashLine);
    p->setPen(pen);
    p->setBrush(m_fill);
    if (lod < 0.35) { // too small to read: the box alone keeps large graphs fast
        p->drawRect(r);
        return;
    }
    p->drawRoundedRect(r, 6, 6);
    if (m_block) // a second outline marks a block that holds a sub-graph
        p->drawRoundedRect(r.adjusted(3, 3, -3, -3), 4, 4);
    if (m_share > 0) { // heat strip: the layer's latency against the slowest layer's
        const QRectF strip(r.left() + 4, r.bottom() - 7, (r.width() - 8) * m_share, 4);
        p->fillRect(strip, QColor::fromHsvF(0.0, 0.35 + 0.6 * m_share, 0.85));
    }
    p->setPen(QColor("#111111"));
    QFont f = p->font();
    f.setPointSizeF(9);
    f.setBold(true);
    p->setFont(f);
    const QRectF text = r.adjusted(8, 4, -8, -4);
    p->drawText(text.adjusted(0, 0, 0, -text.height() / 2), Qt::AlignLeft | Qt::AlignVCenter,
                p->fontMetrics().elidedText(m_title, Qt::ElideMiddle, int(text.width())));
    f.setBold(false);
    f.setPointSizeF(8);
    p->setFont(f);
    p->setPen(QColor("#333333"));
    p->drawText(text.adjusted(0, text.height() / 2, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
                p->fontMetrics().elidedText(m_subtitle, Qt::ElideRight, int(text.width())));
}

} // namespace seaside::views
