#pragma once
// What `seaside devices` prints: each compute device this build found, with what it can run
// beyond the kernels every device offers.
#include "backends/backend.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace seaside::backends {

struct DeviceSummary {
    DeviceProps props;
    bool fp16 = false;         // runs GemmF16
    // runs Ssmm24 with Samoyeds' row selection at 1:2 (the MoE templates' N:M; else MoE layers get
    // plain 2:4). Other N:M may still be refused: Vulkan's shader takes N <= 4 of M <= 8.
    bool samoyedsRows = false;
    std::string detail;        // the CPU's instruction set and BLAS kernel; empty elsewhere
};

/// Asks each device (supports(), on small buffers it allocates) what it runs. A device whose
/// buffers cannot be allocated is listed with no optional capability.
std::vector<DeviceSummary> summarizeDevices(const std::vector<Device *> &devices);
nlohmann::json devicesJson(const std::vector<DeviceSummary> &devices);
std::string devicesText(const std::vector<DeviceSummary> &devices);

} // namespace seaside::backends
