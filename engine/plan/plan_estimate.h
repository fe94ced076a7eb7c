#pragma once
#include "cost/estimate.h"
#include "graph/graph.h"

#include <string>
#include <vector>

namespace seaside::plan {

/// Why a design cannot be estimated as placed (Timeloop's EvalStatus idea): the layer, the
/// device and the reason, for the studio to show on the offending layer.
struct Failure {
    enum class Kind { Unplaced, Unsupported, MemoryOverCapacity, ResourcesOverBudget, NoLinkPath, Cycle };
    Kind kind;
    graph::NodeId node = 0; // 0 when the failure is the device's as a whole
    std::string device;
    std::string message;
};
const char *failureKindName(Failure::Kind k);

struct LayerEstimate {
    graph::NodeId node = 0;
    int device = -1;     // index into the platform's devices; -1 = not placed / no cost
    cost::Estimate cost;
    double start = 0;    // s, in the schedule of one inference
    double finish = 0;   // s
    double transferIn = 0; // s spent receiving inputs from other devices
};

struct DeviceEstimate {
    std::string id;
    int layers = 0;
    double busy = 0;         // s of one inference spent computing
    double dynamicEnergy = 0; // J above idle
    double idleEnergy = 0;   // J: idle power over the makespan
    double weightBytes = 0;  // resident weights
    double peakMemory = 0;   // bytes: weights + the largest working set
    double capacity = 0;     // bytes
    cost::ResourceUse resources;
};

struct LinkEstimate {
    std::string id;
    double busy = 0;  // s per inference
    double bytes = 0; // per inference
    double energy = 0;
};

struct PlanEstimate {
    double latency = 0;    // s, one inference end to end (the schedule's makespan)
    double throughput = 0; // inferences/s when requests stream through as a pipeline
    double energy = 0;     // J per inference: dynamic + idle over the makespan + links
    std::string bottleneck; // the device or link that bounds the throughput
    std::vector<LayerEstimate> layers; // topological order
    std::vector<DeviceEstimate> devices;
    std::vector<LinkEstimate> links;
    std::vector<Failure> failures;
};

} // namespace seaside::plan
