#pragma once
#include "hw/platform.h"

#include <QColor>

namespace seaside::views {

/// The colour of a device instance on the canvas and in the legend, by its position on the
/// platform; unplaced layers are grey. Colours chosen to stay apart for colour-blind readers
/// (Okabe-Ito, then Tableau).
QColor deviceColor(const hw::Platform &p, const std::string &deviceId);
QColor unplacedColor();

} // namespace seaside::views
