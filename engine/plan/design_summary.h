#pragma once
#include "plan/design.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace seaside::plan {

/// What `seaside info` prints: counts, totals, op kinds, devices, ONNX provenance.
nlohmann::json designSummary(const Design &d);
std::string designSummaryText(const Design &d);

/// 1234567 -> "1.23 M"; for parameter, MAC and byte counts in text output.
std::string humanCount(double v);

} // namespace seaside::plan
