#pragma once
// What `seaside devices` prints: each compute device this build found, with what it can run
// beyond the kernels every device offers, and what each backend left out and why.
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

struct BackendSummary {
    std::string name;
    std::vector<DeviceSummary> devices;
    std::vector<std::string> leftOut; // Backend::leftOut()
};

/// Asks each backend's devices (supports(), on small buffers it allocates) what they run. A device
/// whose buffers cannot be allocated is listed with no optional capability.
std::vector<BackendSummary> summarizeBackends(const std::vector<Backend *> &backends);
/// {"devices": [...], "backends": [{"name", "devices" (a count), "leftOut": [...]}]}
nlohmann::json devicesJson(const std::vector<BackendSummary> &backends);
std::string devicesText(const std::vector<BackendSummary> &backends);

} // namespace seaside::backends
