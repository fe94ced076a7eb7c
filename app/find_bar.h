#pragma once
#include "graph/graph.h"

#include <QWidget>

class QLabel;
class QLineEdit;

namespace seaside::views {
class DesignDocument;
class GraphView;
} // namespace seaside::views

namespace seaside::app {

/// Ctrl+F: finds nodes by name (substring, any case), op kind ("conv") or attribute
/// ("out_channels=64"); Enter / F3 for the next match, Shift+F3 for the previous.
class FindBar : public QWidget {
    Q_OBJECT
public:
    FindBar(views::DesignDocument *doc, views::GraphView *view, QWidget *parent = nullptr);

    void activate();
    void setQuery(const QString &text);
    void next();
    void previous();
    const std::vector<graph::NodeId> &matches() const { return m_matches; }

private:
    void search();
    void showMatch(int index);

    views::DesignDocument *m_doc;
    views::GraphView *m_view;
    QLineEdit *m_edit;
    QLabel *m_count;
    std::vector<graph::NodeId> m_matches;
    int m_current = -1;
};

} // namespace seaside::app
