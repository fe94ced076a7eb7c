#include "backends/cpu/cpu_backend.h"

#include "backends/call_contents.h"
#include "backends/cpu/prepared_weights.h"

#include "kernels/cpu_epilogue.h"
#include "kernels/cpu_gemm.h"
#include "kernels/cpu_ssmm24.h"
#include "kernels/csr.h"
#include "kernels/gnn.h"
#include "kernels/router.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <thread>
#include <unistd.h>

namespace seaside::backends {

namespace {

std::atomic<std::uint64_t> nextBufferId{1};

class CpuBuffer : public Buffer {
public:
    CpuBuffer(std::size_t bytes, std::weak_ptr<PreparedWeightsCache> prepared)
        : m_data(bytes), m_id(nextBufferId++), m_prepared(std::move(prepared)) {}
    ~CpuBuffer() override {
        if (auto cache = m_prepared.lock()) // what was prepared from this buffer goes with it
            cache->forget(m_id);
    }
    std::size_t size() const override { return m_data.size(); }
    Status upload(const void *src, std::size_t bytes, std::size_t offset) override {
        if (offset > m_data.size() || bytes > m_data.size() - offset)
            return makeError("upload of " + std::to_string(bytes) + " bytes at " + std::to_string(offset) +
                             " overruns a buffer of " + std::to_string(m_data.size()));
        std::memcpy(m_data.data() + offset, src, bytes);
        ++m_version;
        return {};
    }
    Status download(void *dst, std::size_t bytes, std::size_t offset) const override {
        if (offset > m_data.size() || bytes > m_data.size() - offset)
            return makeError("download of " + std::to_string(bytes) + " bytes at " + std::to_string(offset) +
                             " overruns a buffer of " + std::to_string(m_data.size()));
        std::memcpy(dst, m_data.data() + offset, bytes);
        return {};
    }
    template <typename T> T *as() { return reinterpret_cast<T *>(m_data.data()); }
    const void *bytes() const { return m_data.data(); }
    /// Who this buffer is and how often it was written (uploads and kernel outputs): the key of
    /// anything derived from its contents.
    std::uint64_t id() const { return m_id; }
    std::uint64_t version() const { return m_version; }
    void written() { ++m_version; }

private:
    std::vector<unsigned char> m_data;
    std::uint64_t m_id, m_version = 0;
    std::weak_ptr<PreparedWeightsCache> m_prepared;
};

template <typename T> T *data(Buffer *b) { return b ? static_cast<CpuBuffer *>(b)->as<T>() : nullptr; }

// checkCallContents reads the CPU's buffers in place (their sizes are checked by then)
Expected<const void *> hostBytes(const Buffer &b, std::size_t) { return static_cast<const CpuBuffer &>(b).bytes(); }

// Prepared weights are a second copy of the 2:4 weights: up to a quarter of this machine's memory
// (at least 1 GiB) for them.
std::size_t preparedBudget() {
    const std::uint64_t physical = std::uint64_t(sysconf(_SC_PHYS_PAGES)) * std::uint64_t(sysconf(_SC_PAGE_SIZE));
    return std::size_t(std::max<std::uint64_t>(std::uint64_t(1) << 30, physical / 4));
}

std::string cpuName() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
            return line.substr(line.find(':') + 2);
    return "CPU";
}

class CpuDevice : public Device {
public:
    CpuDevice() {
        m_props.name = cpuName();
        m_props.backend = "cpu";
        m_props.memoryBytes = std::uint64_t(sysconf(_SC_PHYS_PAGES)) * std::uint64_t(sysconf(_SC_PAGE_SIZE));
        m_props.computeUnits = int(std::thread::hardware_concurrency());
    }
    const DeviceProps &props() const override { return m_props; }
    bool supports(const KernelCall &call, std::string *why) const override {
        if (call.op == Op::GemmF16) {
            if (why)
                *why = "the CPU has no fp16 arithmetic (fp16 GEMM runs on Vulkan devices with shaderFloat16 and on CUDA)";
            return false;
        }
        // every buffer must be this device's: another backend's would be read as host memory
        for (const Buffer *b : {call.a, call.b, call.c, call.d, call.e, call.f, call.g, call.y})
            if (b && !dynamic_cast<const CpuBuffer *>(b)) {
                if (why)
                    *why = "a buffer of another device (allocate buffers on the device that runs the call)";
                return false;
            }
        return callShapeValid(call, why);
    }
    Expected<std::unique_ptr<Buffer>> allocate(std::size_t bytes) override {
        try { // the vector throws bad_alloc, or length_error past its max_size
            return std::unique_ptr<Buffer>(std::make_unique<CpuBuffer>(bytes, m_prepared));
        } catch (const std::exception &) {
            return makeError("CPU: cannot allocate a buffer of " + std::to_string(bytes) + " bytes");
        }
    }

    Status run(const std::vector<KernelCall> &calls, std::vector<double> *timings) override {
        if (timings)
            timings->clear();
        for (const KernelCall &c : calls) {
            std::string why;
            if (!supports(c, &why))
                return makeError(std::string(opName(c.op)) + " '" + c.label + "': " + why);
            const auto start = std::chrono::steady_clock::now();
            Status s = runOne(c);
            static_cast<CpuBuffer *>(c.y)->written(); // even a failed call may have written part of Y
            if (!s)
                return makeError(std::string(opName(c.op)) + " '" + c.label + "': " + s.message());
            if (timings)
                timings->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        return {};
    }

private:
    Status runOne(const KernelCall &c) {
        switch (c.op) {
        case Op::Gemm:
            kernels::cpu::gemm(data<float>(c.a), data<float>(c.b), data<float>(c.y), c.m, c.n, c.k, c.accumulate);
            return {};
        case Op::TopKGates:
            kernels::topKGates(data<float>(c.a), c.m, c.n, c.k, data<std::uint32_t>(c.y),
                               data<float>(c.y) + c.m * c.k);
            return {};
        case Op::GemmF16:
            return makeError("no fp16 arithmetic on the CPU");
        case Op::Ssmm24: {
            // row ids, scatter rows and row indices here; the metadata once per weight contents (below)
            if (Status s = checkCallContents(c, hostBytes, false); !s)
                return s;
            return ssmm24(c, kernels::Sparse24View(data<float>(c.b), data<std::uint32_t>(c.c),
                                                   c.g ? c.selection.keptRows(c.n) : c.n, c.k),
                          data<std::uint32_t>(c.d));
        }
        case Op::CsrSpmm: {
            if (c.m == 0 || c.n == 0) // no results: nothing read (checkCallContents' rule)
                return {};
            kernels::Csr a;
            a.rows = c.m;
            a.cols = c.k;
            a.rowPtr.assign(data<std::int32_t>(c.a), data<std::int32_t>(c.a) + c.m + 1);
            a.colIdx.assign(data<std::int32_t>(c.b), data<std::int32_t>(c.b) + c.nnz);
            a.values.assign(data<float>(c.c), data<float>(c.c) + c.nnz);
            if (Status s = kernels::validate(a); !s)
                return s;
            const kernels::Aggregation how = c.aggregation == Aggregation::Mean ? kernels::Aggregation::Mean
                                             : c.aggregation == Aggregation::Max ? kernels::Aggregation::Max
                                                                                 : kernels::Aggregation::Sum;
            kernels::cpu::aggregate(a, data<float>(c.d), c.n, how, data<float>(c.y));
            return {};
        }
        }
        return makeError("unknown op");
    }

    // Each tile of the product leaves through the call's epilogue, as on the GPU devices.
    Status ssmm24(const KernelCall &c, const kernels::Sparse24View &w, const std::uint32_t *rows) {
        if (c.m == 0 || c.n == 0) // no results: no weights to check or prepare (n may be 2^31-1 at k = 0)
            return {};
        const auto *values = static_cast<const CpuBuffer *>(c.b), *meta = static_cast<const CpuBuffer *>(c.c);
        // checked (the metadata) and prepared once per weight contents
        const auto found = m_prepared->get({values->id(), values->version(), meta->id(), meta->version(), w.rows, w.k}, w);
        if (!found.ok())
            return makeError(found.error().message);
        using Out = kernels::cpu::SsmmOutput;
        Out out;
        out.y = data<float>(c.y);
        out.yStride = c.n;
        switch (c.epilogue) {
        case Epilogue::Store:
            out.accumulate = c.accumulate;
            break;
        case Epilogue::SiluMul:
            out.epilogue = Out::Epilogue::SiluMul;
            out.other = data<float>(c.e);
            out.otherStride = c.n;
            break;
        case Epilogue::GateScatterAdd: // scatter rows distinct: checkCallContents, above
            out.epilogue = Out::Epilogue::GateScatterAdd;
            out.gates = data<float>(c.e);
            out.scatter = data<std::uint32_t>(c.f);
            break;
        }
        if (c.g) { // Samoyeds' two-level weights: w is the compact matrix
            kernels::SamoyedsView s;
            s.rows = c.n;
            s.k = c.k;
            s.n = c.selection.kept;
            s.m = c.selection.group;
            s.v = c.selection.block;
            s.indices = data<std::uint32_t>(c.g);
            s.compact = w;
            kernels::cpu::ssmmSamoyeds(data<float>(c.a), c.k, s, rows, c.m, out, found->get());
        } else if (*found) // prepared; else past the cache's budget, read in place
            kernels::cpu::ssmm24(data<float>(c.a), c.k, **found, rows, c.m, out);
        else
            kernels::cpu::ssmm24(data<float>(c.a), c.k, w, rows, c.m, out);
        return {};
    }

    DeviceProps m_props;
    std::shared_ptr<PreparedWeightsCache> m_prepared = std::make_shared<PreparedWeightsCache>(preparedBudget());
};

class CpuBackend : public Backend {
public:
    const char *name() const override { return "cpu"; }
    std::vector<Device *> devices() override { return {&m_device}; }

private:
    CpuDevice m_device;
};

} // namespace

Backend *cpuBackend() {
    static CpuBackend backend;
    return &backend;
}

} // namespace seaside::backends
