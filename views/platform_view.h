#pragma once
#include <QGraphicsView>

namespace seaside::views {

class DesignDocument;

/// The platform as a diagram: each device a box in its canvas colour with its figures, each
/// link a line labelled with its kind and bandwidth. Double-click a device to edit it.
class PlatformView : public QGraphicsView {
    Q_OBJECT
public:
    explicit PlatformView(DesignDocument *doc, QWidget *parent = nullptr);
    int deviceBoxes() const { return m_devices; }
    int linkLines() const { return m_links; }

signals:
    void deviceActivated(const QString &id);

protected:
    void mouseDoubleClickEvent(QMouseEvent *e) override;

private:
    void rebuild();

    DesignDocument *m_doc;
    QGraphicsScene m_scene;
    int m_devices = 0, m_links = 0;
};

} // namespace seaside::views
