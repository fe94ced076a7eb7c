#pragma once
#include "plan/design.h"

#include <string>
#include <vector>

namespace seaside::plan {

/// unzipFPGA's effect per convolution: its roofline position with weights read from DRAM and
/// with weights generated on chip (option "weights_on_the_fly"), for the conv layers of blocks
/// and of the top level placed on an FPGA.
struct OnTheFlyRow {
    std::string layer; // "stage3.block0/conv2" inside blocks
    double intensityOff = 0, intensityOn = 0; // ops/byte
    bool memoryBoundOff = false, memoryBoundOn = false;
    double latencyOff = 0, latencyOn = 0; // s, one instance
};

std::vector<OnTheFlyRow> onTheFlyComparison(const Design &d, double compressionRatio = 0.25);

} // namespace seaside::plan
