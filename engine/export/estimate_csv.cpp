#include "export/estimate_csv.h"

#include <cstdio>
#include <sstream>

namespace seaside::exporting {

namespace {
std::string quoted(const std::string &s) {
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
} // namespace

std::string estimateCsv(const plan::Design &d, const plan::PlanEstimate &e) {
    std::ostringstream out;
    out << "layer,kind,device,start_s,latency_s,energy_j,weight_bytes,bound,source\n";
    for (const auto &l : e.layers) {
        const graph::Node *n = d.graph.node(l.node);
        if (!n || n->kind == graph::OpKind::Input || n->kind == graph::OpKind::Output)
            continue;
        const std::string device = l.device >= 0 ? d.platform.devices[std::size_t(l.device)].id : std::string();
        out << quoted(n->name) << ',' << graph::opKindName(n->kind) << ',' << quoted(device) << ',' << number(l.start) << ','
            << number(l.cost.latency) << ',' << number(l.cost.energy) << ',' << number(l.cost.weightBytes) << ','
            << (l.device < 0 ? "" : l.cost.memoryBound ? "memory" : "compute") << ',' << l.cost.source << '\n';
    }
    return out.str();
}

} // namespace seaside::exporting
