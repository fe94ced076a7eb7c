#include "graph_view.h"

#include "design_document.h"
#include "device_palette.h"
#include "minimap.h"
#include "plan/auto_layout.h"
#include "node_item.h"
#include "op_palette.h"

#include <QKeyEvent>
#include <QScrollBar>
#include <QMimeData>
#include <QMouseEvent>

#include <QGraphicsPathItem>
#include <QPainter>
#include <QSvgGenerator>
#include <QWheelEvent>

namespace seaside::views {

GraphView::GraphView(DesignDocument *doc, QWidget *parent) : QGraphicsView(parent), m_doc(doc) {
    setScene(&m_scene);
    setRenderHint(QPainter::Antialiasing);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setBackgroundBrush(QColor("#FAFAFA"));
    m_scene.setItemIndexMethod(QGraphicsScene::BspTreeIndex); // mostly static scene
    connect(doc, &DesignDocument::designReset, this, &GraphView::rebuild);
    connect(doc, &DesignDocument::layersChanged, this, &GraphView::recolour);
    connect(doc, &DesignDocument::graphChanged, this, &GraphView::rebuildKeepingView);
    connect(doc, &DesignDocument::positionsChanged, this, &GraphView::rebuildKeepingView);
    connect(doc, &DesignDocument::platformChanged, this, &GraphView::rebuildKeepingView); // colours follow the devices
    setAcceptDrops(true);
    m_minimap = new Minimap(this);
    setDragMode(QGraphicsView::RubberBandDrag); // rubber-band and Ctrl-click selection; wheel zooms, scroll bars pan
    connect(&m_scene, &QGraphicsScene::selectionChanged, this, [this] {
        const auto sel = m_scene.selectedItems();
        auto *item = sel.isEmpty() ? nullptr : dynamic_cast<NodeItem *>(sel.first());
        emit nodeSelected(item ? item->nodeId() : 0);
    });
    rebuild();
}

NodeItem *GraphView::itemFor(graph::NodeId id) const {
    auto it = m_items.find(id);
    return it == m_items.end() ? nullptr : it->second;
}

void GraphView::rebuildKeepingView() {
    const QTransform t = transform();
    const QPointF centre = mapToScene(viewport()->rect().center());
    std::vector<graph::NodeId> selected = selectedNodes();
    rebuild();
    m_startPending = false;
    setTransform(t);
    centerOn(centre);
    for (graph::NodeId id : selected)
        if (NodeItem *item = itemFor(id))
            item->setSelected(true);
}

std::size_t GraphView::drawnNodeCount() const {
    std::size_t n = 0;
    for (QGraphicsItem *i : m_scene.items())
        n += dynamic_cast<NodeItem *>(i) != nullptr;
    return n;
}

std::vector<graph::NodeId> GraphView::selectedNodes() const {
    std::vector<graph::NodeId> ids;
    for (QGraphicsItem *i : m_scene.selectedItems())
        if (auto *n = dynamic_cast<NodeItem *>(i))
            ids.push_back(n->nodeId());
    return ids;
}

NodeItem *GraphView::nodeAt(const QPoint &viewPos) const {
    for (QGraphicsItem *i : items(viewPos))
        if (auto *n = dynamic_cast<NodeItem *>(i); n && n->data(0).toString() != QStringLiteral("body"))
            return n;
    return nullptr;
}

void GraphView::dragEnterEvent(QDragEnterEvent *e) {
    if (e->mimeData()->hasFormat(OpPalette::kMime) || e->mimeData()->hasFormat(kDeviceMime))
        e->acceptProposedAction();
}

void GraphView::dragMoveEvent(QDragMoveEvent *e) {
    // a device is dropped on a layer; an operator anywhere
    const bool device = e->mimeData()->hasFormat(kDeviceMime);
    if (!device || nodeAt(e->position().toPoint()))
        e->acceptProposedAction();
    else
        e->ignore();
}

void GraphView::dropEvent(QDropEvent *e) {
    const QPoint at = e->position().toPoint();
    if (e->mimeData()->hasFormat(OpPalette::kMime)) {
        const auto kind = graph::opKindFromName(e->mimeData()->data(OpPalette::kMime).toStdString());
        if (!kind)
            return;
        const QPointF p = mapToScene(at);
        m_doc->addLayer(*kind, {p.x(), p.y()});
        e->acceptProposedAction();
        return;
    }
    if (e->mimeData()->hasFormat(kDeviceMime)) {
        NodeItem *target = nodeAt(at);
        if (!target)
            return;
        // onto a selected layer: the whole selection moves to the device
        std::vector<graph::NodeId> ids = target->isSelected() ? selectedNodes() : std::vector<graph::NodeId>{target->nodeId()};
        m_doc->setLayerDevices(ids, e->mimeData()->data(kDeviceMime).toStdString());
        e->acceptProposedAction();
    }
}

void GraphView::mousePressEvent(QMouseEvent *e) {
    if (e->button() == Qt::MiddleButton) { // pan: the left button selects with a rubber band
        m_panFrom = e->pos();
        viewport()->setCursor(Qt::ClosedHandCursor);
        return;
    }
    if (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier)) {
        if (NodeItem *from = nodeAt(e->pos())) {
            m_connectFrom = from->nodeId();
            m_connectLine = m_scene.addLine(QLineF(from->outPort(), mapToScene(e->pos())), QPen(QColor("#1F4E99"), 2, Qt::DashLine));
            m_connectLine->setZValue(3);
            return;
        }
    }
    QGraphicsView::mousePressEvent(e);
}

void GraphView::mouseMoveEvent(QMouseEvent *e) {
    if (m_panFrom) {
        const QPoint delta = e->pos() - *m_panFrom;
        m_panFrom = e->pos();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
        return;
    }
    if (m_connectLine) {
        m_connectLine->setLine(QLineF(m_connectLine->line().p1(), mapToScene(e->pos())));
        return;
    }
    QGraphicsView::mouseMoveEvent(e);
}

void GraphView::mouseReleaseEvent(QMouseEvent *e) {
    if (m_panFrom && e->button() == Qt::MiddleButton) {
        m_panFrom.reset();
        viewport()->unsetCursor();
        return;
    }
    if (m_connectLine) {
        delete m_connectLine;
        m_connectLine = nullptr;
        NodeItem *to = nodeAt(e->pos());
        const graph::NodeId from = std::exchange(m_connectFrom, 0);
        if (to && to->nodeId() != from)
            if (Status s = m_doc->connectNodes(from, to->nodeId()); !s)
                emit message(QString::fromStdString(s.message()));
        return;
    }
    QGraphicsView::mouseReleaseEvent(e);
    // nodes dragged with the mouse: one undoable move
    std::vector<std::pair<graph::NodeId, plan::Position>> moved;
    for (graph::NodeId id : selectedNodes()) {
        const QPointF p = itemFor(id)->pos();
        auto it = m_doc->design().layout.find(id);
        if (it == m_doc->design().layout.end() || it->second.x != p.x() || it->second.y != p.y())
            moved.push_back({id, {p.x(), p.y(), it != m_doc->design().layout.end() && it->second.expanded}});
    }
    if (!moved.empty())
        m_doc->moveNodes(moved);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent *e) {
    // double-click a block: open or fold its body
    if (NodeItem *item = nodeAt(e->pos())) {
        const graph::Node *n = m_doc->design().graph.node(item->nodeId());
        if (n && n->kind == graph::OpKind::Block) {
            auto it = m_doc->design().layout.find(n->id);
            m_doc->setBlockExpanded(n->id, it == m_doc->design().layout.end() || !it->second.expanded);
            return;
        }
    }
    QGraphicsView::mouseDoubleClickEvent(e);
}

// An expanded block's body, drawn read-only in a frame to the right of the block: its layers
// in their own layered layout, the repeat count in the frame's title.
void GraphView::drawExpandedBody(const graph::Node &block, const NodeItem *at) {
    auto pos = plan::layeredLayout(*block.body);
    if (!pos || pos->empty())
        return;
    QRectF area;
    for (const auto &[id, p] : *pos)
        area |= QRectF(p.x - NodeItem::kWidth / 2, p.y - NodeItem::kHeight / 2, NodeItem::kWidth, NodeItem::kHeight);
    const QPointF offset = at->pos() + QPointF(NodeItem::kWidth / 2 + 60, 0) - area.topLeft() + QPointF(20, 30);
    const QRectF frame = area.translated(offset).adjusted(-20, -30, 20, 20);
    auto *box = m_scene.addRect(frame, QPen(QColor("#5B6B7F"), 1.5, Qt::DashLine), QColor(91, 107, 127, 25));
    box->setZValue(-1);
    auto *title = m_scene.addSimpleText(QStringLiteral("%1  ×%2").arg(QString::fromStdString(block.name)).arg(block.repeat));
    title->setPos(frame.topLeft() + QPointF(8, 6));
    title->setBrush(QColor("#5B6B7F"));
    auto *link = m_scene.addLine(QLineF(at->pos() + QPointF(NodeItem::kWidth / 2, 0), QPointF(frame.left(), at->pos().y())),
                                 QPen(QColor("#5B6B7F"), 1, Qt::DotLine));
    link->setZValue(-1);
    const QColor fill = fillFor(block);
    std::unordered_map<graph::NodeId, QPointF> where;
    for (const graph::Node &n : block.body->nodes()) {
        auto *item = new NodeItem(n, n.kind == graph::OpKind::Input || n.kind == graph::OpKind::Output ? QColor("#FFFFFF") : fill);
        item->setFlag(QGraphicsItem::ItemIsSelectable, false); // a view of the body, edited through the block
        item->setData(0, QStringLiteral("body")); // its id is the body's, not the graph's: nodeAt skips it
        item->setFlag(QGraphicsItem::ItemIsMovable, false);
        const auto &p = pos->at(n.id);
        item->setPos(QPointF(p.x, p.y) + offset);
        item->setZValue(1);
        m_scene.addItem(item);
        where[n.id] = item->pos();
    }
    for (const graph::Edge &e : block.body->edges()) {
        const QPointF s = where[e.src] + QPointF(0, NodeItem::kHeight / 2), t = where[e.dst] - QPointF(0, NodeItem::kHeight / 2);
        QPainterPath path(s);
        const qreal dy = std::max<qreal>(30, (t.y() - s.y()) / 2);
        path.cubicTo(s + QPointF(0, dy), t - QPointF(0, dy), t);
        m_scene.addPath(path, QPen(QColor("#707070"), 1.2))->setZValue(0);
    }
}

void GraphView::keyPressEvent(QKeyEvent *e) {
    if (e->key() == Qt::Key_Delete || e->key() == Qt::Key_Backspace) {
        m_doc->removeNodes(selectedNodes());
        return;
    }
    QGraphicsView::keyPressEvent(e);
}

void GraphView::rebuild() {
    m_scene.clear();
    m_connectLine = nullptr;
    m_items.clear();
    const plan::Design &d = m_doc->design();
    for (const graph::Node &n : d.graph.nodes()) {
        auto *item = new NodeItem(n, fillFor(n));
        if (auto p = d.layout.find(n.id); p != d.layout.end())
            item->setPos(p->second.x, p->second.y);
        item->setZValue(1);
        m_scene.addItem(item);
        m_items[n.id] = item;
    }
    const QPen edgePen(QColor("#707070"), 1.2);
    for (const graph::Edge &e : d.graph.edges()) {
        NodeItem *a = itemFor(e.src), *b = itemFor(e.dst);
        if (!a || !b)
            continue;
        QPainterPath path(a->outPort());
        const QPointF s = a->outPort(), t = b->inPort();
        const qreal dy = std::max<qreal>(30, (t.y() - s.y()) / 2);
        path.cubicTo(s + QPointF(0, dy), t - QPointF(0, dy), t);
        auto *edge = m_scene.addPath(path, edgePen);
        edge->setZValue(0);
    }
    for (const graph::Node &n : d.graph.nodes())
        if (n.kind == graph::OpKind::Block && n.body)
            if (auto p = d.layout.find(n.id); p != d.layout.end() && p->second.expanded)
                drawExpandedBody(n, itemFor(n.id));
    m_scene.setSceneRect(m_scene.itemsBoundingRect().adjusted(-60, -60, 60, 60));
    if (m_minimap)
        m_minimap->refit();
    m_startPending = true;
    showStart();
}

void GraphView::showStart() {
    if (m_items.empty() || !isVisible())
        return;
    m_startPending = false;
    fitAll();
    constexpr qreal kReadable = 0.75; // below this the labels are too small to read
    if (transform().m11() >= kReadable)
        return;
    setTransform(QTransform::fromScale(kReadable, kReadable));
    const QRectF all = m_scene.itemsBoundingRect();
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    centerOn(all.center().x(), all.top() + visible.height() / 2 - 20);
}

void GraphView::placeMinimap() {
    if (!m_minimap)
        return;
    const QRect area = viewport()->geometry();
    m_minimap->move(area.right() - m_minimap->width() - 8, area.bottom() - m_minimap->height() - 8);
    m_minimap->setVisible(!m_items.empty());
    m_minimap->raise();
}

void GraphView::scrollContentsBy(int dx, int dy) {
    QGraphicsView::scrollContentsBy(dx, dy);
    placeMinimap(); // it is a child of the view: keep it in the corner, not scrolled with the scene
    if (m_minimap)
        m_minimap->viewport()->update();
}

void GraphView::resizeEvent(QResizeEvent *e) {
    QGraphicsView::resizeEvent(e);
    placeMinimap();
    if (m_startPending)
        showStart();
}

QColor GraphView::fillFor(const graph::Node &n) const {
    const plan::Design &d = m_doc->design();
    if (n.kind == graph::OpKind::Input || n.kind == graph::OpKind::Output)
        return QColor("#FFFFFF");
    auto placed = d.placement.find(n.id);
    const QColor fill = placed == d.placement.end() ? unplacedColor() : deviceColor(d.platform, placed->second.device);
    return fill.lighter(115);
}

void GraphView::recolour(const std::vector<graph::NodeId> &ids) {
    for (graph::NodeId id : ids)
        if (NodeItem *item = itemFor(id))
            item->setFill(fillFor(*m_doc->design().graph.node(id)));
}

void GraphView::showEstimate(const plan::PlanEstimate &e) {
    double slowest = 0;
    for (const auto &l : e.layers)
        slowest = std::max(slowest, l.cost.latency);
    for (const auto &l : e.layers)
        if (NodeItem *item = itemFor(l.node)) {
            item->setCostShare(slowest > 0 ? l.cost.latency / slowest : 0);
            item->setFailure({});
        }
    for (const auto &f : e.failures)
        if (NodeItem *item = f.node ? itemFor(f.node) : nullptr)
            item->setFailure(QString::fromStdString(f.message));
}

void GraphView::focusNode(graph::NodeId id) {
    NodeItem *item = itemFor(id);
    if (!item)
        return;
    m_scene.clearSelection();
    item->setSelected(true);
    if (transform().m11() < 0.75)
        setTransform(QTransform::fromScale(0.75, 0.75));
    centerOn(item);
}

namespace {
// Cached items would reach an SVG as bitmaps: draw them afresh while exporting.
struct UncachedWhileExporting {
    QList<QGraphicsItem *> items;
    explicit UncachedWhileExporting(QGraphicsScene &scene) : items(scene.items()) {
        for (auto *i : items)
            i->setCacheMode(QGraphicsItem::NoCache);
    }
    ~UncachedWhileExporting() {
        for (auto *i : items)
            if (dynamic_cast<NodeItem *>(i))
                i->setCacheMode(QGraphicsItem::DeviceCoordinateCache);
    }
};
} // namespace

bool GraphView::exportPng(const QString &path) {
    const UncachedWhileExporting uncached(m_scene);
    const QRectF area = m_scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
    QImage image((area.size() * 2).toSize(), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    m_scene.render(&p, QRectF(QPointF(0, 0), area.size() * 2), area);
    p.end();
    return image.save(path, "PNG");
}

bool GraphView::exportSvg(const QString &path) {
    const UncachedWhileExporting uncached(m_scene);
    const QRectF area = m_scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(area.size().toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), area.size()));
    svg.setTitle(QStringLiteral("Seaside design"));
    QPainter p;
    if (!p.begin(&svg))
        return false;
    m_scene.render(&p, QRectF(QPointF(0, 0), area.size()), area);
    return p.end();
}

void GraphView::fitAll() {
    if (m_items.empty())
        return;
    fitInView(m_scene.sceneRect(), Qt::KeepAspectRatio);
    // Never blow a small graph up past its natural size.
    if (transform().m11() > 1.0)
        setTransform(QTransform());
}

void GraphView::wheelEvent(QWheelEvent *e) {
    const qreal factor = e->angleDelta().y() > 0 ? 1.15 : 1 / 1.15;
    scale(factor, factor);
    if (m_minimap)
        m_minimap->viewport()->update();
}

} // namespace seaside::views
