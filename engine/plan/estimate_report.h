#pragma once
#include "plan/design.h"
#include "plan/plan_estimate.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace seaside::plan {

/// What `seaside estimate` prints: totals, per device, per layer, failures, and the analyses a
/// design asks for in its metadata:
///   "analysis.max_batch": "dense,samoyeds"                 largest batch per GPU, per format
///   "analysis.split_sweep": "EDGE,CLOUD,f1,f2,..."         DynaSplit split points x CPU frequency
///   "analysis.on_the_fly": "RHO"                           unzipFPGA: conv roofline off / on
nlohmann::json estimateReport(const Design &d, const PlanEstimate &e);
std::string estimateReportText(const Design &d, const PlanEstimate &e);

} // namespace seaside::plan
