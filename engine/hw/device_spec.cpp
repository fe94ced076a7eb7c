#include "hw/device_spec.h"

#include <array>

namespace seaside::hw {

namespace {
constexpr std::array<std::string_view, 4> kKindNames{"gpu", "fpga", "cpu", "npu"};
}

std::string_view deviceKindName(DeviceKind k) { return kKindNames[std::size_t(k)]; }

std::optional<DeviceKind> deviceKindFromName(std::string_view name) {
    for (std::size_t i = 0; i < kKindNames.size(); ++i)
        if (kKindNames[i] == name)
            return DeviceKind(i);
    return std::nullopt;
}

} // namespace seaside::hw
