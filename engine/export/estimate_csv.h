#pragma once
#include "plan/design.h"
#include "plan/plan_estimate.h"

#include <string>

namespace seaside::exporting {

/// The per-layer estimate table as CSV (RFC 4180 quoting): layer, kind, device, start, latency,
/// energy, weight bytes, bound, source. Units in the header.
std::string estimateCsv(const plan::Design &d, const plan::PlanEstimate &e);

} // namespace seaside::exporting
