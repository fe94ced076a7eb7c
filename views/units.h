#pragma once
#include <QString>

namespace seaside::views {

/// How the studio shows times and energies (a user setting, kept with QSettings).
struct Units {
    QString time = "auto";   // auto | s | ms | us
    QString energy = "auto"; // auto | J | mJ

    QString formatTime(double seconds) const;
    QString formatEnergy(double joules) const;
};

} // namespace seaside::views
