#pragma once
#include "graph/graph.h"

#include <QTreeWidget>

namespace seaside::views {
class DesignDocument;
}

namespace seaside::app {

/// Shows the selected node: kind, shapes, parameters, MACs, device and attributes.
class PropertyPanel : public QTreeWidget {
    Q_OBJECT
public:
    explicit PropertyPanel(views::DesignDocument *doc, QWidget *parent = nullptr);
    void showNode(graph::NodeId id);
    graph::NodeId shownNode() const { return m_shown; }

signals:
    void message(const QString &text); // an edit refused, and why

private:
    void attributeEdited(QTreeWidgetItem *item, int column);

    views::DesignDocument *m_doc;
    graph::NodeId m_shown = 0;
    bool m_filling = false; // itemChanged fires while the panel fills itself
};

} // namespace seaside::app
