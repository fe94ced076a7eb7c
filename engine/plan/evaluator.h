#pragma once
#include "cost/link_model.h"
#include "plan/design.h"
#include "plan/plan_estimate.h"

#include <memory>
#include <vector>

namespace seaside::plan {

/// Evaluates a design: per-layer costs from the device's model, then a schedule of one
/// inference (a device runs one layer at a time; a transfer on the links when producer and
/// consumer sit on different devices), pipeline throughput, energy and memory per device.
/// Keeps what it computed, so that after a one-layer edit only that layer and its transfers are
/// re-estimated before the (linear-time) re-schedule.
class Evaluator {
public:
    Evaluator();
    ~Evaluator();

    /// Everything from scratch. The design must outlive the next update() call.
    const PlanEstimate &evaluate(const Design &d);
    /// After edits to the placement or config of `changed` layers only (same graph and platform);
    /// falls back to a full evaluation when the structure differs.
    const PlanEstimate &update(const Design &d, const std::vector<graph::NodeId> &changed);
    /// Only the per-layer checks (support, memory, resources, links), no schedule: cheap.
    const PlanEstimate &precheck(const Design &d);

    const PlanEstimate &result() const { return m_result; }

private:
    const PlanEstimate &run(const Design &d, bool schedule);

    struct State;
    std::unique_ptr<State> m_state;
    PlanEstimate m_result;
};

/// One layer of a design on a device (a block: its body, `repeat` times, with the block's
/// customisations composed into each layer). nullopt and `reason` when the device cannot run it.
/// `overlay`: the FPGA reuses one engine for every layer, so a block occupies its largest layer's
/// resources rather than the sum.
std::optional<cost::Estimate> estimateLayer(const graph::Graph &g, const graph::Node &n, const LayerConfig &cfg,
                                            const hw::DeviceSpec &device, std::string *reason, bool overlay = false);

} // namespace seaside::plan
