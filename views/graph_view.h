#pragma once
#include "graph/graph.h"
#include "plan/plan_estimate.h"

#include <QGraphicsView>

class QGraphicsLineItem;
#include <memory>
#include <optional>
#include <unordered_map>

namespace seaside::views {

class DesignDocument;
class Minimap;
class NodeItem;

/// The canvas: mirrors the document's graph by node id, coloured by assigned device.
class GraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit GraphView(DesignDocument *doc, QWidget *parent = nullptr);

    std::size_t nodeItemCount() const { return m_items.size(); }
    std::size_t drawnNodeCount() const; // graph nodes plus the layers shown inside expanded blocks
    NodeItem *itemFor(graph::NodeId id) const;
    void fitAll();
    /// Shades each layer by its latency and marks precheck failures on the offending layers.
    void showEstimate(const plan::PlanEstimate &e);
    /// Selects a node and brings it into view (find, next/previous).
    void focusNode(graph::NodeId id);
    /// The whole canvas as a picture: PNG (2x for sharp text) or SVG.
    bool exportPng(const QString &path);
    bool exportSvg(const QString &path);
    /// A freshly opened design: readable zoom, starting at its inputs (Fit to Window shows all).
    void showStart();

    std::vector<graph::NodeId> selectedNodes() const;
    Minimap *minimap() const { return m_minimap; }

signals:
    void nodeSelected(graph::NodeId id); // 0 when the selection is cleared
    void message(const QString &text);   // a refused edit, for the status bar

protected:
    void wheelEvent(QWheelEvent *e) override;
    void scrollContentsBy(int dx, int dy) override;
    void resizeEvent(QResizeEvent *e) override;
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dragMoveEvent(QDragMoveEvent *e) override;
    void dropEvent(QDropEvent *e) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;
    void mouseReleaseEvent(QMouseEvent *e) override;
    void keyPressEvent(QKeyEvent *e) override;
    void mouseDoubleClickEvent(QMouseEvent *e) override;

private:
    void rebuild();
    void rebuildKeepingView();
    void drawExpandedBody(const graph::Node &block, const NodeItem *at);
    NodeItem *nodeAt(const QPoint &viewPos) const;
    void recolour(const std::vector<graph::NodeId> &ids);
    QColor fillFor(const graph::Node &n) const;

    DesignDocument *m_doc;
    QGraphicsScene m_scene;
    std::unordered_map<graph::NodeId, NodeItem *> m_items; // owned by the scene
    bool m_startPending = false; // the view had no size yet when the design arrived
    Minimap *m_minimap = nullptr;
    void placeMinimap();
    graph::NodeId m_connectFrom = 0;  // Shift+drag from this node draws a connection
    std::optional<QPoint> m_panFrom;  // middle-button drag pans
    QGraphicsLineItem *m_connectLine = nullptr;
};

} // namespace seaside::views
