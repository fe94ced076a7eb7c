#pragma once
#include "plan/design.h"

#include <string>
#include <vector>

namespace seaside::plan {

/// DynaSplit's space, swept: the first `split` layers (in topological order) on the edge device
/// at a CPU frequency, the rest on the cloud device. split = 0 is cloud only.
struct SplitPoint {
    int split = 0;
    std::string lastEdgeLayer; // the layer after which the model is split ("" for cloud only)
    double freqHz = 0;
    double latency = 0; // s
    double energy = 0;  // J per inference, all devices and links
    bool feasible = true;
};

std::vector<SplitPoint> splitSweep(const Design &d, const std::string &edge, const std::string &cloud,
                                   const std::vector<double> &freqsHz);

} // namespace seaside::plan
