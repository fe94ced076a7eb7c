#pragma once
// Small interfaces over compute backends: a Backend lists Devices; a Device reports its
// properties, says whether it runs a kernel call, allocates Buffers and runs a sequence of
// calls with a timing per call. Capability is the device's to report; the placement decides
// (ONNX Runtime's GetCapability split).
#include "core/expected.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace seaside::backends {

/// Device memory. Contents move with upload/download; offsets and sizes are in bytes.
class Buffer {
public:
    virtual ~Buffer() = default;
    virtual std::size_t size() const = 0;
    virtual Status upload(const void *src, std::size_t bytes, std::size_t offset = 0) = 0;
    virtual Status download(void *dst, std::size_t bytes, std::size_t offset = 0) const = 0;
};

/// The kernels every backend may offer. Matrices are row-major fp32 unless said otherwise.
enum class Op {
    /// Y[m,n] = X[m,k] . W[n,k]^T                       a = X, b = W, y = Y
    Gemm,
    /// Y[m,n] = X[rows[i],k] . W[n,k]^T with W 2:4-sparse along k (engine/kernels/nm_sparse.h):
    /// a = X, b = W values [n, k/2], c = W metadata [n, k/32] uint32, d = row ids [m] uint32 or
    /// null (then row i of X), y = Y [m, n]. k must be a multiple of 4.
    Ssmm24,
    /// Y[r,f] = A[r,c] . X[c,f] with A in CSR: a = row_ptr [m+1] int32, b = col_idx [nnz] int32,
    /// c = values [nnz] fp32, d = X [k, n], y = Y [m, n]; here m = rows, k = columns, n = features.
    CsrSpmm,
};
const char *opName(Op op);

struct KernelCall {
    Op op = Op::Gemm;
    Buffer *a = nullptr, *b = nullptr, *c = nullptr, *d = nullptr;
    Buffer *y = nullptr;
    std::int64_t m = 0, n = 0, k = 0;
    std::int64_t nnz = 0;   // CsrSpmm
    std::string label;      // for profiles: "expert3.w1"
};

struct DeviceProps {
    std::string name;    // "llvmpipe (LLVM 15.0.6, 256 bits)", "NVIDIA H100 80GB HBM3"
    std::string backend; // "cpu", "vulkan", "cuda"
    std::uint64_t memoryBytes = 0;
    int computeUnits = 0;
    bool sparseTensorCores = false;
};

class Device {
public:
    virtual ~Device() = default;
    virtual const DeviceProps &props() const = 0;
    /// Whether run() accepts this call (op, sizes, buffer kinds); `why` says why not.
    virtual bool supports(const KernelCall &call, std::string *why = nullptr) const = 0;
    virtual Expected<std::unique_ptr<Buffer>> allocate(std::size_t bytes) = 0;
    /// Runs the calls in order, to completion. `timings` (when given) gets one duration in
    /// seconds per call, measured on the device (timestamp queries, CUDA events, a steady clock).
    virtual Status run(const std::vector<KernelCall> &calls, std::vector<double> *timings = nullptr) = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char *name() const = 0;
    virtual std::vector<Device *> devices() = 0;
};

/// Every backend built into this binary that found a device; the CPU backend is always first.
std::vector<Backend *> availableBackends();
std::vector<Device *> availableDevices();

/// Checks a call's shape against its buffers' sizes: the common part of supports().
bool callShapeValid(const KernelCall &call, std::string *why);

} // namespace seaside::backends
