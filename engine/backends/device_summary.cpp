#include "backends/device_summary.h"

#include "kernels/cpu_gemm.h"
#include "kernels/cpu_isa.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace seaside::backends {

namespace {

// The optional calls, asked with the smallest shapes their rules allow and no tokens where the
// weights alone decide (as MoeOnDevice asks before it uploads Samoyeds' form).
void probe(Device &d, DeviceSummary &s) {
    auto buf = d.allocate(256);
    if (!buf.ok())
        return;
    Buffer *b = buf->get();
    s.fp16 = d.supports({Op::GemmF16, b, b, nullptr, nullptr, b, 1, 1, 1, 0, "probe"});
    KernelCall rows{Op::Ssmm24, b, b, b, nullptr, b, 0, 2, 32, 0, "probe"};
    rows.g = b;
    rows.selection = {1, 2, 32};
    s.samoyedsRows = d.supports(rows);
}

std::string gib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", double(bytes) / double(1ull << 30));
    return text;
}

} // namespace

std::vector<BackendSummary> summarizeBackends(const std::vector<Backend *> &backends) {
    std::vector<BackendSummary> out;
    for (Backend *b : backends) {
        BackendSummary summary{b->name(), {}, b->leftOut()};
        for (Device *d : b->devices()) {
            DeviceSummary s;
            s.props = d->props();
            probe(*d, s);
            if (s.props.backend == "cpu")
                s.detail = std::string(kernels::cpu::isaName(kernels::cpu::isa())) + "; " + kernels::cpu::blasCore();
            summary.devices.push_back(std::move(s));
        }
        out.push_back(std::move(summary));
    }
    return out;
}

nlohmann::json devicesJson(const std::vector<BackendSummary> &backends) {
    nlohmann::json all = nlohmann::json::array(), perBackend = nlohmann::json::array();
    for (const BackendSummary &b : backends) {
        perBackend.push_back({{"name", b.name}, {"devices", b.devices.size()}, {"leftOut", b.leftOut}});
        for (const DeviceSummary &s : b.devices) {
            nlohmann::json d{{"backend", s.props.backend},
                             {"name", s.props.name},
                             {"memoryBytes", s.props.memoryBytes},
                             {"computeUnits", s.props.computeUnits},
                             {"fp16", s.fp16},
                             {"sparseTensorCores", s.props.sparseTensorCores},
                             {"samoyedsRowSelection", s.samoyedsRows}};
            if (!s.detail.empty())
                d["detail"] = s.detail;
            all.push_back(std::move(d));
        }
    }
    return {{"devices", std::move(all)}, {"backends", std::move(perBackend)}};
}

std::string devicesText(const std::vector<BackendSummary> &backends) {
    std::size_t count = 0;
    for (const BackendSummary &b : backends)
        count += b.devices.size();
    std::ostringstream out;
    out << count << (count == 1 ? " compute device" : " compute devices") << '\n';
    std::size_t i = 0;
    for (const BackendSummary &b : backends)
        for (const DeviceSummary &s : b.devices) {
            out << "  " << i++ << "  " << s.props.backend << "  " << s.props.name << '\n' << "       " << gib(s.props.memoryBytes);
            if (s.props.computeUnits > 0) // Vulkan drivers need not say (lavapipe does not)
                out << ", " << s.props.computeUnits << (s.props.backend == "cpu" ? " threads" : " compute units");
            out << "; fp16 GEMM " << (s.fp16 ? "yes" : "no");
            if (s.props.backend == "cuda")
                out << "; sparse tensor cores " << (s.props.sparseTensorCores ? "yes" : "no");
            out << "; Samoyeds row selection (1:2) " << (s.samoyedsRows ? "yes" : "no (plain 2:4)") << '\n';
            if (!s.detail.empty())
                out << "       " << s.detail << '\n';
        }
    for (const BackendSummary &b : backends)
        for (const std::string &line : b.leftOut)
            out << b.name << " left out: " << line << '\n';
    return out.str();
}

} // namespace seaside::backends
