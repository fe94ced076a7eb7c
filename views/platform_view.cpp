#include "platform_view.h"

#include "design_document.h"
#include "device_palette.h"
#include "plan/design_summary.h"

#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>
#include <cmath>

namespace seaside::views {

PlatformView::PlatformView(DesignDocument *doc, QWidget *parent) : QGraphicsView(parent), m_doc(doc) {
    setScene(&m_scene);
    setRenderHint(QPainter::Antialiasing);
    connect(doc, &DesignDocument::designReset, this, &PlatformView::rebuild);
    connect(doc, &DesignDocument::platformChanged, this, &PlatformView::rebuild);
    rebuild();
}

// Devices on a circle (a ring reads well for the 2-16 devices of a platform), links as chords.
void PlatformView::rebuild() {
    m_scene.clear();
    const hw::Platform &p = m_doc->design().platform;
    m_devices = int(p.devices.size());
    m_links = 0;
    const double radius = 60.0 + 45.0 * double(p.devices.size());
    std::vector<QPointF> at;
    for (std::size_t i = 0; i < p.devices.size(); ++i) {
        const double a = 2 * M_PI * double(i) / double(std::max<std::size_t>(1, p.devices.size())) - M_PI / 2;
        at.push_back(p.devices.size() == 1 ? QPointF(0, 0) : QPointF(radius * std::cos(a), radius * std::sin(a)));
    }
    auto index = [&](const std::string &id) {
        for (std::size_t i = 0; i < p.devices.size(); ++i)
            if (p.devices[i].id == id)
                return int(i);
        return -1;
    };
    for (const auto &l : p.links) {
        const int a = index(l.a), b = index(l.b);
        if (a < 0 || b < 0)
            continue;
        m_scene.addLine(QLineF(at[std::size_t(a)], at[std::size_t(b)]), QPen(QColor("#707070"), 2))->setZValue(0);
        auto *label = m_scene.addSimpleText(QString::fromStdString(l.spec.name + "\n" + plan::humanCount(l.spec.bandwidth) + "B/s"));
        label->setPos((at[std::size_t(a)] + at[std::size_t(b)]) / 2 - QPointF(label->boundingRect().width() / 2, 0));
        label->setZValue(2);
        ++m_links;
    }
    for (std::size_t i = 0; i < p.devices.size(); ++i) {
        const auto &d = p.devices[i];
        const QRectF box(at[i] - QPointF(90, 32), QSizeF(180, 64));
        auto *rect = m_scene.addRect(box, QPen(QColor("#404040")), deviceColor(p, d.id).lighter(115));
        rect->setData(0, QString::fromStdString(d.id));
        rect->setZValue(1);
        rect->setToolTip(QString::fromStdString("source: " + d.spec.source));
        auto *text = m_scene.addSimpleText(QString::fromStdString(d.id + "\n" + d.spec.name + "\n" + plan::humanCount(d.spec.memCapacity) +
                                                                  "B, " + plan::humanCount(d.spec.memBandwidth) + "B/s"));
        QFont f = text->font();
        f.setPointSizeF(7.5);
        text->setFont(f);
        text->setPos(box.topLeft() + QPointF(6, 4));
        text->setZValue(2);
    }
    m_scene.setSceneRect(m_scene.itemsBoundingRect().adjusted(-20, -20, 20, 20));
    fitInView(m_scene.sceneRect(), Qt::KeepAspectRatio);
}

void PlatformView::mouseDoubleClickEvent(QMouseEvent *e) {
    for (QGraphicsItem *i : items(e->pos()))
        if (i->data(0).isValid()) {
            emit deviceActivated(i->data(0).toString());
            return;
        }
    QGraphicsView::mouseDoubleClickEvent(e);
}

} // namespace seaside::views
