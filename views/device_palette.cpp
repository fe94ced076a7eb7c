#include "device_palette.h"

#include <array>

namespace seaside::views {

QColor deviceColor(const hw::Platform &p, const std::string &deviceId) {
    static const std::array<QColor, 12> kColors{
        QColor("#E69F00"), QColor("#56B4E9"), QColor("#009E73"), QColor("#F0E442"),
        QColor("#0072B2"), QColor("#D55E00"), QColor("#CC79A7"), QColor("#8C564B"),
        QColor("#17BECF"), QColor("#BCBD22"), QColor("#7F7F7F"), QColor("#9467BD")};
    for (std::size_t i = 0; i < p.devices.size(); ++i)
        if (p.devices[i].id == deviceId)
            return kColors[i % kColors.size()];
    return unplacedColor();
}

QColor unplacedColor() { return QColor("#D9D9D9"); }

} // namespace seaside::views
