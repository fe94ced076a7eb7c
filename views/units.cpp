#include "units.h"

namespace seaside::views {

QString Units::formatTime(double s) const {
    QString unit = time;
    if (unit == "auto")
        unit = s >= 1 ? "s" : s >= 1e-3 ? "ms" : "us";
    if (unit == "s")
        return QStringLiteral("%1 s").arg(s, 0, 'f', 3);
    if (unit == "ms")
        return QStringLiteral("%1 ms").arg(s * 1e3, 0, 'f', 3);
    return QStringLiteral("%1 µs").arg(s * 1e6, 0, 'f', 1);
}

QString Units::formatEnergy(double j) const {
    QString unit = energy;
    if (unit == "auto")
        unit = j >= 1 ? "J" : "mJ";
    if (unit == "J")
        return QStringLiteral("%1 J").arg(j, 0, 'g', 4);
    return QStringLiteral("%1 mJ").arg(j * 1e3, 0, 'g', 4);
}

} // namespace seaside::views
