#pragma once
#include "cost/cost_model.h"
#include "hw/device_spec.h"

namespace seaside::cost {

/// CPUs, edge boards and edge accelerators (NPU): a roofline at the DVFS level the layer asks
/// for ("freq_hz"), with the level's throughput and power. An NPU such as the Coral Edge TPU runs
/// only the dtypes its datasheet lists (int8) and streams weights that do not fit in its on-chip
/// memory over its interface ("tpu_clock": "std" runs it at half clock, as DynaSplit's knob).
const CostModel &cpuModel();

/// The DVFS level for a requested frequency: the highest level not above it; the top level
/// when none is asked for; a full-speed level built from the datasheet when the device has none.
hw::DvfsLevel dvfsLevel(const hw::DeviceSpec &d, double requestedHz);

} // namespace seaside::cost
