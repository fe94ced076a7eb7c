#pragma once
#include "cost/estimate.h"
#include "cost/layer_context.h"

#include <string>

namespace seaside::cost {

/// One model per device kind. Models are stateless and thread-safe: the studio evaluates on a
/// worker thread while the user edits.
class CostModel {
public:
    virtual ~CostModel() = default;
    /// 1 when the model can estimate this layer on this device, 0 when the device cannot run it;
    /// then `reason` says why ("int8 only", "no fp64 units").
    virtual double coverage(const LayerContext &ctx, std::string *reason) const = 0;
    /// The layer's cost on the device. Called only when coverage() > 0.
    virtual Estimate estimateNode(const LayerContext &ctx) const = 0;
    /// The model's name, used as the estimate's provenance.
    virtual const char *name() const = 0;
};

/// The model for a device kind (GPU, FPGA, CPU, NPU); never null.
const CostModel &modelFor(const hw::DeviceSpec &device);

/// Common check: the device has the dtype at all.
double dtypeCoverage(const LayerContext &ctx, std::string *reason);

} // namespace seaside::cost
