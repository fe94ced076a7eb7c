#pragma once
#include "graph/tensor.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seaside::hw {

enum class DeviceKind : std::uint8_t { Gpu, Fpga, Cpu, Npu };
std::string_view deviceKindName(DeviceKind k);
std::optional<DeviceKind> deviceKindFromName(std::string_view name);

/// One operating point of dynamic voltage and frequency scaling.
struct DvfsLevel {
    double freqHz = 0;          // Hz
    double throughputScale = 1; // fraction of the peak at this frequency
    double power = 0;           // W, busy at this frequency
    bool operator==(const DvfsLevel &) const = default;
};

struct FpgaResources {
    std::int64_t lut = 0, ff = 0, dsp = 0;
    std::int64_t bram = 0; // 36 Kb blocks
    std::int64_t uram = 0; // 288 Kb blocks
    bool operator==(const FpgaResources &) const = default;
};

/// A device model from its datasheet. Peak throughput is per dtype; a dtype missing from
/// `peakOps` is one the device cannot run.
struct DeviceSpec {
    std::string id;   // catalogue id, "nvidia-h100-sxm"
    std::string name; // "NVIDIA H100 SXM5 80GB"
    DeviceKind kind = DeviceKind::Gpu;
    std::string source;                              // datasheet the figures come from
    std::map<std::string, std::string> fieldSources; // per-field source where it differs
    std::string notes;
    std::map<graph::DType, double> peakOps;       // ops/s, dense
    std::map<graph::DType, double> peakOpsSparse; // ops/s with 2:4 structured sparsity
    double memCapacity = 0;  // bytes
    double memBandwidth = 0; // bytes/s
    double onchipMemory = 0; // bytes
    double idlePower = 0;    // W
    double maxPower = 0;     // W
    int computeUnits = 0;    // SMs / cores
    double clockHz = 0;      // Hz
    std::vector<DvfsLevel> dvfs;
    std::optional<FpgaResources> fpga;

    bool supports(graph::DType t) const { return peakOps.count(t) != 0; }
    bool operator==(const DeviceSpec &) const = default;
};

/// A kind of interconnect. Transfers cost latency + bytes / bandwidth, and energy per byte.
struct LinkSpec {
    std::string id;
    std::string name;
    std::string source;
    std::map<std::string, std::string> fieldSources;
    double bandwidth = 0;     // bytes/s per direction
    double latency = 0;       // s
    double energyPerByte = 0; // J/byte
    bool operator==(const LinkSpec &) const = default;
};

} // namespace seaside::hw
