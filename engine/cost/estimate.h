#pragma once

namespace seaside::cost {

/// FPGA resources a layer occupies (counts; BRAM in 36 Kb blocks, URAM in 288 Kb blocks).
struct ResourceUse {
    double lut = 0, ff = 0, dsp = 0, bram = 0, uram = 0;
    ResourceUse &operator+=(const ResourceUse &o) {
        lut += o.lut, ff += o.ff, dsp += o.dsp, bram += o.bram, uram += o.uram;
        return *this;
    }
    /// The larger of each resource: hardware reused layer after layer (an overlay engine).
    void maxWith(const ResourceUse &o) {
        lut = lut > o.lut ? lut : o.lut, ff = ff > o.ff ? ff : o.ff, dsp = dsp > o.dsp ? dsp : o.dsp;
        bram = bram > o.bram ? bram : o.bram, uram = uram > o.uram ? uram : o.uram;
    }
};

/// What one layer costs on one device. Plain data: the plan evaluator keeps one per layer.
/// `energy` is the energy above the device's idle power; the evaluator adds idle power over
/// the whole makespan once per device, so nothing is counted twice.
struct Estimate {
    double latency = 0;      // s
    double energy = 0;       // J, dynamic (above idle)
    double weightBytes = 0;  // bytes resident on the device for this layer's weights
    double workingBytes = 0; // bytes: activations in + out and state (KV cache) while it runs
    double computeTime = 0;  // s, at the achievable compute rate
    double memoryTime = 0;   // s, off-chip traffic at the memory bandwidth
    double intensity = 0;    // ops per off-chip byte (the roofline's x)
    double attainable = 0;   // ops/s: min(peak, bandwidth x intensity) (the roofline's y)
    bool memoryBound = false;
    ResourceUse resources;   // FPGA layers only
    const char *source = ""; // provenance: "gpu-roofline", "fpga-analytic", "cpu-roofline", ...

    Estimate scaled(double k) const; // a block's body repeated k times (resources stay: reused)
};

/// A transfer of bytes between two devices along a path of links.
struct TransferEstimate {
    double latency = 0; // s
    double energy = 0;  // J
    int hops = 0;
};

inline Estimate Estimate::scaled(double k) const {
    Estimate e = *this;
    e.latency *= k;
    e.energy *= k;
    e.weightBytes *= k;
    e.computeTime *= k;
    e.memoryTime *= k;
    return e;
}

} // namespace seaside::cost
