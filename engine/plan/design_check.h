#pragma once
#include "core/expected.h"
#include "plan/design.h"

namespace seaside::plan {

/// What every loader must refuse in a design it has read, whatever the file's format: a platform
/// whose links name missing devices, a graph with a cycle, a placement or layout entry for a node
/// the graph lacks, a layer placed on a device the platform lacks or at an unknown precision. The
/// error names the node, device or precision. (The JSON loader resolves names as it reads and so
/// meets most of these itself; the project store reads ids and meets them only here.)
Status checkDesign(const Design &d);

} // namespace seaside::plan
