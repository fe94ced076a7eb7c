#pragma once
#include "core/expected.h"
#include "graph/attrs.h"
#include "hw/device_spec.h"

#include <string>
#include <vector>

namespace seaside::hw {

/// A device placed on a platform: an instance name ("gpu0") and its spec (copied, so a project
/// file stays valid when the catalogue changes).
struct DeviceInstance {
    std::string id;
    DeviceSpec spec;
    graph::Attrs options; // how the design uses it, e.g. "fpga_mapping": "overlay" | "dataflow"
    bool operator==(const DeviceInstance &) const = default;
};

/// A link between two device instances (both directions).
struct LinkInstance {
    std::string id;
    std::string a, b; // device instance ids
    LinkSpec spec;
    bool operator==(const LinkInstance &) const = default;
};

struct Platform {
    std::vector<DeviceInstance> devices;
    std::vector<LinkInstance> links;

    const DeviceInstance *device(const std::string &id) const;
    Status validate() const; // links name existing devices, ids unique
    bool operator==(const Platform &) const = default;
};

} // namespace seaside::hw
