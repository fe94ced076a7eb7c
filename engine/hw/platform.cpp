#include "hw/platform.h"

#include <set>

namespace seaside::hw {

const DeviceInstance *Platform::device(const std::string &id) const {
    for (const auto &d : devices)
        if (d.id == id)
            return &d;
    return nullptr;
}

Status Platform::validate() const {
    std::set<std::string> ids;
    for (const auto &d : devices)
        if (!ids.insert(d.id).second)
            return makeError("device id '" + d.id + "' is used twice");
    std::set<std::string> linkIds;
    for (const auto &l : links) {
        if (!linkIds.insert(l.id).second)
            return makeError("link id '" + l.id + "' is used twice");
        if (!device(l.a) || !device(l.b))
            return makeError("link '" + l.id + "' connects '" + l.a + "' and '" + l.b +
                             "', and at least one of them is not on the platform");
        if (l.a == l.b)
            return makeError("link '" + l.id + "' connects device '" + l.a + "' to itself");
    }
    return {};
}

} // namespace seaside::hw
