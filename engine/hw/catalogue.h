#pragma once
#include "core/expected.h"
#include "hw/device_spec.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace seaside::hw {

/// The device and link catalogue (resources/devices/*.json): datasheet figures with sources.
struct Catalogue {
    std::vector<DeviceSpec> devices;
    std::vector<LinkSpec> links;

    const DeviceSpec *device(const std::string &id) const;
    const LinkSpec *link(const std::string &id) const;
};

/// Parse and validate; an impossible value (negative bandwidth, zero power) is an error naming
/// the device and the field.
Expected<DeviceSpec> deviceFromJson(const nlohmann::json &j);
Expected<LinkSpec> linkFromJson(const nlohmann::json &j);
nlohmann::json deviceToJson(const DeviceSpec &d);
nlohmann::json linkToJson(const LinkSpec &l);

/// Every *.json under `dir` (default: the installed resources/devices).
Expected<Catalogue> loadCatalogue(const std::string &dir = {});
const Catalogue &defaultCatalogue(); // loaded once; empty when the resources are missing
std::string resourceDir();           // $SEASIDE_RESOURCES, else the build's source tree

} // namespace seaside::hw
