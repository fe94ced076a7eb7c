// CudaBackend, CudaDevice, CudaBuffer: cudaMalloc'd buffers, calls launched in order on one
// stream per device (every launcher and its memsets take that stream, so each call sees the
// output of the calls before it), a cudaEvent pair around each call for its timing. Nothing here
// throws or aborts: every CUDA error comes back as an Error carrying cudaGetErrorString.
#include "backends/cuda/cuda_backend.h"
#include "backends/call_contents.h"
#include "backends/cuda/kernels.cuh"

#include <cuda_runtime.h>

#include <mutex>
#include <string>
#include <vector>

namespace seaside::backends {
namespace {

// Also clears the thread's last-error state, so that a failure is reported once, by its own call.
Error cudaFailure(const std::string &what, cudaError_t err) {
    cudaGetLastError();
    return makeError("CUDA: " + what + ": " + cudaGetErrorString(err));
}

class CudaBuffer final : public Buffer {
public:
    CudaBuffer(int device, void *ptr, std::size_t bytes) : m_device(device), m_ptr(ptr), m_size(bytes) {}
    ~CudaBuffer() override {
        // Errors here (a context torn down at exit) have no one to report to.
        if (cudaSetDevice(m_device) == cudaSuccess)
            cudaFree(m_ptr);
        cudaGetLastError();
    }
    std::size_t size() const override { return m_size; }
    int device() const { return m_device; }
    void *data() const { return m_ptr; }

    Status upload(const void *src, std::size_t bytes, std::size_t offset) override {
        if (Status s = checkRange(src, bytes, offset, "upload"); !s)
            return s;
        if (bytes == 0)
            return {};
        if (cudaError_t err = cudaSetDevice(m_device); err != cudaSuccess)
            return cudaFailure("upload", err);
        if (cudaError_t err = cudaMemcpy(static_cast<char *>(m_ptr) + offset, src, bytes, cudaMemcpyHostToDevice);
            err != cudaSuccess)
            return cudaFailure("upload of " + std::to_string(bytes) + " bytes", err);
        // From pageable memory cudaMemcpy may return before its DMA lands, and the run() stream is
        // non-blocking (not ordered after the default stream the copy went to): wait for it here.
        if (cudaError_t err = cudaStreamSynchronize(nullptr); err != cudaSuccess)
            return cudaFailure("upload of " + std::to_string(bytes) + " bytes", err);
        return {};
    }
    Status download(void *dst, std::size_t bytes, std::size_t offset) const override {
        if (Status s = checkRange(dst, bytes, offset, "download"); !s)
            return s;
        if (bytes == 0)
            return {};
        if (cudaError_t err = cudaSetDevice(m_device); err != cudaSuccess)
            return cudaFailure("download", err);
        if (cudaError_t err = cudaMemcpy(dst, static_cast<const char *>(m_ptr) + offset, bytes,
                                         cudaMemcpyDeviceToHost);
            err != cudaSuccess)
            return cudaFailure("download of " + std::to_string(bytes) + " bytes", err);
        return {};
    }

private:
    Status checkRange(const void *host, std::size_t bytes, std::size_t offset, const char *what) const {
        if (offset > m_size || bytes > m_size - offset)
            return makeError(std::string("CUDA buffer ") + what + ": " + std::to_string(bytes) + " bytes at offset " +
                             std::to_string(offset) + " do not fit in a buffer of " + std::to_string(m_size) +
                             " bytes");
        if (!host && bytes > 0)
            return makeError(std::string("CUDA buffer ") + what + ": null host pointer");
        return {};
    }

    int m_device;
    void *m_ptr;
    std::size_t m_size;
};

class CudaDevice final : public Device {
public:
    CudaDevice(int index, const cudaDeviceProp &p) : m_index(index), m_ccMajor(p.major) {
        m_props.name = p.name;
        m_props.backend = "cuda";
        m_props.memoryBytes = p.totalGlobalMem;
        m_props.computeUnits = p.multiProcessorCount;
        // mma.sp exists from sm_80, but the kernel's tile needs more shared memory than sm_86 and
        // sm_89 give a block: their Ssmm24 calls all run on the CUDA cores (ssmm24.cu)
        m_props.sparseTensorCores = p.major >= 8 && std::size_t(p.sharedMemPerBlockOptin) >= cuda::ssmm24TensorCoreBlockBytes();
    }
    ~CudaDevice() override {
        if (m_checks && cudaSetDevice(m_index) == cudaSuccess)
            cudaFree(m_checks);
        cudaGetLastError();
    }

    const DeviceProps &props() const override { return m_props; }

    bool supports(const KernelCall &call, std::string *why) const override {
        if (!callShapeValid(call, why))
            return false;
        auto refuse = [why](std::string reason) {
            if (why)
                *why = std::move(reason);
            return false;
        };
        if (call.g) // MoeOnDevice then gives this device the weights as plain 2:4
            return refuse("Samoyeds' row selection (g) has no CUDA kernel yet: give the weights as plain 2:4");
        if (call.op == Op::Ssmm24 && call.k % 4 != 0) // the tensor-core path loads X as float4
            return refuse("Ssmm24 needs k a multiple of 4, got " + std::to_string(call.k));
        // The operands each op reads or writes: required ones must be there, and every one given
        // must be a buffer of this device. Ssmm24's d (the row ids) may be null.
        const bool ssmm = call.op == Op::Ssmm24, scatter = ssmm && call.epilogue == Epilogue::GateScatterAdd;
        const bool withE = ssmm && call.epilogue != Epilogue::Store;
        bool needed[7] = {true, true, false, false, true, withE, scatter}; // a b c d y e f
        bool used[7] = {true, true, false, false, true, withE, scatter};
        switch (call.op) {
        case Op::Gemm:
        case Op::GemmF16:
            break;
        case Op::Ssmm24:
            needed[2] = used[2] = true;
            used[3] = true;
            break;
        case Op::CsrSpmm:
            needed[2] = used[2] = needed[3] = used[3] = true;
            break;
        case Op::TopKGates:
            needed[1] = used[1] = false;
            break;
        }
        Buffer *const operands[] = {call.a, call.b, call.c, call.d, call.y, call.e, call.f};
        const char *names[] = {"a", "b", "c", "d", "y", "e", "f"};
        for (int i = 0; i < 7; ++i) {
            if (!used[i])
                continue;
            if (!operands[i]) {
                if (!needed[i])
                    continue;
                return refuse(std::string("operand ") + names[i] + " of " + opName(call.op) + " is missing");
            }
            const auto *cb = dynamic_cast<const CudaBuffer *>(operands[i]);
            if (!cb || cb->device() != m_index)
                return refuse(std::string("operand ") + names[i] + " is not a buffer of " + m_props.name);
        }
        return true;
    }

    Expected<std::unique_ptr<Buffer>> allocate(std::size_t bytes) override {
        if (cudaError_t err = cudaSetDevice(m_index); err != cudaSuccess)
            return cudaFailure("allocate", err);
        void *ptr = nullptr;
        // cudaMalloc(0) may hand back null; a 1-byte allocation keeps every buffer a real one.
        if (cudaError_t err = cudaMalloc(&ptr, bytes ? bytes : 1); err != cudaSuccess)
            return cudaFailure("allocating " + std::to_string(bytes) + " bytes on " + m_props.name, err);
        return std::unique_ptr<Buffer>(new CudaBuffer(m_index, ptr, bytes));
    }

    Status run(const std::vector<KernelCall> &calls, std::vector<double> *timings) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (timings)
            timings->clear();
        for (std::size_t i = 0; i < calls.size(); ++i) {
            std::string why;
            if (!supports(calls[i], &why))
                return makeError("CUDA: call " + std::to_string(i) + " (" + opName(calls[i].op) + " " +
                                 calls[i].label + "): " + why);
        }
        if (cudaError_t err = cudaSetDevice(m_index); err != cudaSuccess)
            return cudaFailure("run", err);
        // Each launcher reports cudaGetLastError(), which would also return an error an earlier
        // call on this thread left behind (a failed copy, another library's launch) as this
        // run's: start from a clear state. A sticky error (a faulted context) is not cleared and
        // still fails the run, as it must.
        cudaGetLastError();
        if (!m_stream) {
            if (cudaError_t err = cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking); err != cudaSuccess) {
                m_stream = nullptr;
                return cudaFailure("creating a stream", err);
            }
        }
        if (Status s = prepareChecks(calls); !s)
            return s;
        std::vector<cudaEvent_t> events(2 * calls.size(), nullptr);
        Status status = launchAll(calls, events);
        // Wait even after a failed launch: what was queued before it must finish before we return.
        if (cudaError_t err = cudaStreamSynchronize(m_stream); err != cudaSuccess && status)
            status = cudaFailure("running " + std::to_string(calls.size()) + " calls", err);
        if (status && timings) {
            for (std::size_t i = 0; i < calls.size() && status; ++i) {
                float ms = 0.0f;
                if (cudaError_t err = cudaEventElapsedTime(&ms, events[2 * i], events[2 * i + 1]); err != cudaSuccess)
                    status = cudaFailure("timing call " + std::to_string(i), err);
                timings->push_back(double(ms) * 1e-3);
            }
        }
        for (cudaEvent_t e : events)
            if (e)
                cudaEventDestroy(e);
        cudaGetLastError(); // a failed call must not leave its error to the next one
        if (status && m_layout.any)
            status = reportFlagged(calls);
        return status;
    }

private:
    // The run's check words (one per call, zeroed here) and each gate scatter-add's bitmap of Y's
    // rows after them (backends/call_contents.h), in one device allocation kept between runs.
    Status prepareChecks(const std::vector<KernelCall> &calls) {
        m_layout = deviceChecksFor(calls);
        if (!m_layout.any)
            return {};
        if (m_checkWords < m_layout.words) {
            if (m_checks)
                cudaFree(m_checks);
            m_checks = nullptr;
            m_checkWords = 0;
            const std::size_t bytes = std::size_t(m_layout.words) * 4;
            if (cudaError_t err = cudaMalloc(reinterpret_cast<void **>(&m_checks), bytes); err != cudaSuccess) {
                m_checks = nullptr;
                return cudaFailure("allocating the run's contents checks (" + std::to_string(bytes) + " bytes)", err);
            }
            m_checkWords = m_layout.words;
        }
        if (cudaError_t err = cudaMemsetAsync(m_checks, 0, calls.size() * 4, m_stream); err != cudaSuccess)
            return cudaFailure("clearing the run's contents checks", err);
        return {};
    }

    Status reportFlagged(const std::vector<KernelCall> &calls) {
        std::vector<std::uint32_t> flags(calls.size());
        if (cudaError_t err = cudaMemcpy(flags.data(), m_checks, flags.size() * 4, cudaMemcpyDeviceToHost); err != cudaSuccess)
            return cudaFailure("reading the contents checks back", err);
        return reportFlaggedCall("CUDA " + m_props.name, calls, flags);
    }

    cudaError_t launchChecks(const KernelCall &c, std::size_t slot) {
        if (c.op == Op::Ssmm24)
            return cuda::launchSsmm24Checks(ssmmArgs(c), m_checks + slot, m_checks + m_layout.seenWord[slot], m_stream);
        if (c.op == Op::CsrSpmm)
            return cuda::launchCsrChecks(static_cast<const std::int32_t *>(ptr(c.a)), static_cast<const std::int32_t *>(ptr(c.b)),
                                         c.m, c.k, c.n, c.nnz, m_checks + slot, m_stream);
        return cudaSuccess;
    }

    Status launchAll(const std::vector<KernelCall> &calls, std::vector<cudaEvent_t> &events) {
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const KernelCall &c = calls[i];
            for (int j = 0; j < 2; ++j)
                if (cudaError_t err = cudaEventCreate(&events[2 * i + j]); err != cudaSuccess) {
                    events[2 * i + j] = nullptr;
                    return cudaFailure("creating an event", err);
                }
            // the checks go ahead of the call's start event: its timing is the kernel's alone
            if (cudaError_t err = launchChecks(c, i); err != cudaSuccess)
                return cudaFailure(std::string("checking the contents of ") + opName(c.op) + " " + c.label, err);
            if (cudaError_t err = cudaEventRecord(events[2 * i], m_stream); err != cudaSuccess)
                return cudaFailure("recording an event", err);
            const cudaError_t err = launch(c);
            if (err != cudaSuccess)
                return cudaFailure(std::string("launching ") + opName(c.op) + (c.label.empty() ? "" : " " + c.label),
                                   err);
            if (cudaError_t e2 = cudaEventRecord(events[2 * i + 1], m_stream); e2 != cudaSuccess)
                return cudaFailure("recording an event", e2);
        }
        return {};
    }

    static const float *f32(const Buffer *b) { return b ? static_cast<const float *>(ptr(b)) : nullptr; }
    static void *ptr(const Buffer *b) { return static_cast<const CudaBuffer *>(b)->data(); }

    static cuda::SsmmEpilogue epilogueOf(Epilogue e) {
        switch (e) {
        case Epilogue::Store:
            break;
        case Epilogue::SiluMul:
            return cuda::SsmmEpilogue::SiluMul;
        case Epilogue::GateScatterAdd:
            return cuda::SsmmEpilogue::GateScatterAdd;
        }
        return cuda::SsmmEpilogue::Store;
    }
    static cuda::CsrAggregation aggregationOf(Aggregation a) {
        switch (a) {
        case Aggregation::Sum:
            break;
        case Aggregation::Mean:
            return cuda::CsrAggregation::Mean;
        case Aggregation::Max:
            return cuda::CsrAggregation::Max;
        }
        return cuda::CsrAggregation::Sum;
    }

    static cuda::Ssmm24Args ssmmArgs(const KernelCall &c) {
        cuda::Ssmm24Args args;
        args.x = f32(c.a);
        args.xRows = gatherableRows(c);
        args.values = f32(c.b);
        args.meta = static_cast<const std::uint32_t *>(ptr(c.c));
        args.rows = c.d ? static_cast<const std::uint32_t *>(ptr(c.d)) : nullptr;
        args.y = static_cast<float *>(ptr(c.y));
        args.m = c.m;
        args.n = c.n;
        args.k = c.k;
        args.epilogue = epilogueOf(c.epilogue);
        args.accumulate = c.epilogue == Epilogue::Store && c.accumulate;
        if (c.epilogue != Epilogue::Store)
            args.e = f32(c.e);
        if (c.epilogue == Epilogue::GateScatterAdd) {
            args.scatter = static_cast<const std::uint32_t *>(ptr(c.f));
            args.yRows = c.yRows;
        }
        return args;
    }

    cudaError_t launch(const KernelCall &c) {
        switch (c.op) {
        case Op::Gemm:
            return cuda::launchGemm(f32(c.a), f32(c.b), static_cast<float *>(ptr(c.y)), c.m, c.n, c.k, c.accumulate,
                                    m_stream);
        case Op::GemmF16:
            return cuda::launchGemmF16(static_cast<const std::uint16_t *>(ptr(c.a)),
                                       static_cast<const std::uint16_t *>(ptr(c.b)), static_cast<float *>(ptr(c.y)),
                                       c.m, c.n, c.k, c.accumulate, m_stream);
        case Op::TopKGates: {
            auto *ids = static_cast<std::uint32_t *>(ptr(c.y));
            // the gates follow the m * k ids in the same buffer
            auto *gates = reinterpret_cast<float *>(static_cast<char *>(ptr(c.y)) +
                                                    sizeof(std::uint32_t) * std::size_t(c.m * c.k));
            return cuda::launchTopKGates(f32(c.a), ids, gates, c.m, c.n, c.k, m_stream);
        }
        case Op::Ssmm24:
            return cuda::launchSsmm24(ssmmArgs(c), cuda::ssmm24Choose(m_ccMajor, c.m, c.n, c.k), m_stream);
        case Op::CsrSpmm:
            return cuda::launchCsrSpmm(static_cast<const std::int32_t *>(ptr(c.a)),
                                       static_cast<const std::int32_t *>(ptr(c.b)), f32(c.c), f32(c.d),
                                       static_cast<float *>(ptr(c.y)), c.m, c.k, c.n, c.nnz,
                                       aggregationOf(c.aggregation), m_stream);
        }
        return cudaErrorInvalidValue;
    }

    int m_index;
    int m_ccMajor;
    DeviceProps m_props;
    cudaStream_t m_stream = nullptr;
    std::mutex m_mutex;
    std::uint32_t *m_checks = nullptr; // prepareChecks
    std::uint64_t m_checkWords = 0;
    DeviceChecks m_layout;
};

class CudaBackend final : public Backend {
public:
    const char *name() const override { return "cuda"; }
    std::vector<Device *> devices() override {
        std::call_once(m_once, [this] { enumerate(); });
        std::vector<Device *> out;
        for (auto &d : m_devices)
            out.push_back(d.get());
        return out;
    }
    std::vector<std::string> leftOut() override {
        std::call_once(m_once, [this] { enumerate(); });
        return m_leftOut;
    }

private:
    void enumerate() {
        int count = 0;
        // No driver, no GPU, an old driver: all mean no devices, not a failure.
        if (cudaError_t err = cudaGetDeviceCount(&count); err != cudaSuccess) {
            cudaGetLastError();
            m_leftOut.push_back(std::string("cudaGetDeviceCount: ") + cudaGetErrorString(err));
            return;
        }
        if (count == 0)
            m_leftOut.push_back("the CUDA driver lists no device");
        for (int i = 0; i < count; ++i) {
            cudaDeviceProp p{};
            if (cudaError_t err = cudaGetDeviceProperties(&p, i); err != cudaSuccess) {
                cudaGetLastError();
                m_leftOut.push_back("device " + std::to_string(i) + ": cudaGetDeviceProperties: " + cudaGetErrorString(err));
                continue;
            }
            // The kernels are built for sm_75, sm_80 and sm_90 (and PTX that newer GPUs compile).
            if (p.major * 10 + p.minor < 75) {
                m_leftOut.push_back("device " + std::to_string(i) + " (" + p.name + "): sm_" + std::to_string(p.major) +
                                    std::to_string(p.minor) + ", older than the sm_75 the kernels are built for");
                continue;
            }
            m_devices.push_back(std::make_unique<CudaDevice>(i, p));
        }
    }

    std::once_flag m_once;
    std::vector<std::unique_ptr<CudaDevice>> m_devices;
    std::vector<std::string> m_leftOut;
};

} // namespace

Backend *cudaBackend() {
    // Never destroyed: buffers and streams must not outlive a CUDA runtime torn down at exit.
    static CudaBackend *backend = new CudaBackend;
    return backend;
}

} // namespace seaside::backends
