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
/// The MoE and GNN layers are sequences of these calls (backends/layers.h).
enum class Op {
    /// Y[m,n] (+)= X[m,k] . W[n,k]^T                    a = X, b = W, y = Y; `accumulate` adds into Y
    Gemm,
    /// Y[m,n] = X[rows[i],k] . W[n,k]^T with W 2:4-sparse along k (engine/kernels/nm_sparse.h):
    /// a = X, b = W values [n, k/2], c = W metadata [n, k/32] uint32, d = row ids [m] uint32 or
    /// null (then row i of X), y = Y. k must be a multiple of 4. What happens to each result is
    /// the call's `epilogue` (the fusions of Samoyeds' MoE block):
    ///   Store          Y[i,n] (+)= acc                         Y [m, n]
    ///   SiluMul        Y[i,n] = silu(e[i,n]) * acc             e = gate pre-activations [m, n] fp32
    ///   GateScatterAdd Y[f[i],n] += e[i] * acc                 e = gates [m] fp32, f = rows [m] uint32
    /// GateScatterAdd needs f[i] distinct within a call (a token meets an expert once). Ids, scatter
    /// rows and metadata are checked on every device (backends/call_contents.h).
    /// Precision: fp32 everywhere except CUDA's Sparse Tensor Core path (sm_80 and sm_90, chosen by
    /// shape: backends/cuda/kernels.cuh), which rounds X and W to fp16 (|x| past 65504 becomes
    /// inf there) and accumulates in fp32.
    /// With g, W is in Samoyeds' two-level format (kernels/samoyeds.h), `selection` N:M over
    /// blocks of V columns: b and c hold the compact matrix's n/M*N rows, g = row indices
    /// [k/V][n/M*N] uint32, and compact row j stands, over columns [vV, (v+1)V), for row
    /// (j/N)*M + g[v][j] of W. Only kept rows are multiplied: a row a block drops gets nothing from
    /// it (not 0 x X). M at most 64; n must divide by M, k by V, and V by 32 (a block starts a
    /// metadata word).
    Ssmm24,
    /// Y[r,f] = aggregate over row r's entries of A[r,c] * X[c,f], with A in CSR: a = row_ptr
    /// [m+1] int32, b = col_idx [nnz] int32, c = values [nnz] fp32, d = X [k, n], y = Y [m, n];
    /// m = rows, k = columns, n = features. `aggregation`: Sum, Mean (sum / entries) or Max (of
    /// the products); a row without entries gives 0.
    CsrSpmm,
    /// Router: softmax over each row of a = logits [m, n] (n experts), the k largest kept (ties
    /// to the lower expert) and their probabilities renormalised to sum 1: y = expert ids [m, k]
    /// uint32 followed by gates [m, k] fp32 (one buffer of 8mk bytes). k <= n. NaN logits are
    /// never picked: a row with fewer than k others fills its last slots with id 0xffffffff
    /// (kernels::kNoExpert) and gate 0 (kernels/router.h has the whole rule).
    TopKGates,
    /// Y[m,n] (+)= X[m,k] . W[n,k]^T with X and W in fp16 (IEEE half, 2 bytes each) and Y fp32:
    /// a = X, b = W, y = Y. Offered only by devices with fp16 arithmetic.
    GemmF16,
};
const char *opName(Op op);

enum class Epilogue { Store, SiluMul, GateScatterAdd };
/// Samoyeds' first level, for Ssmm24 with g: in every group of `group` (M) rows of W, `kept` (N)
/// rows, chosen per block of `block` (V) columns.
struct RowSelection {
    int kept = 0, group = 0, block = 0;
    std::int64_t keptRows(std::int64_t rows) const { return group > 0 ? rows / group * kept : 0; }
};
enum class Aggregation { Sum, Mean, Max };

struct KernelCall {
    Op op = Op::Gemm;
    Buffer *a = nullptr, *b = nullptr, *c = nullptr, *d = nullptr;
    Buffer *y = nullptr;
    std::int64_t m = 0, n = 0, k = 0;
    std::int64_t nnz = 0;   // CsrSpmm
    std::string label;      // for profiles: "expert3.w1"
    Buffer *e = nullptr, *f = nullptr; // Ssmm24's epilogue inputs
    Epilogue epilogue = Epilogue::Store;
    Aggregation aggregation = Aggregation::Sum;
    bool accumulate = false; // Gemm, GemmF16 and Ssmm24 (Store): add into Y instead of overwriting
    std::int64_t yRows = 0;  // GateScatterAdd: rows of Y (the f[i] must be below it)
    Buffer *g = nullptr;     // Ssmm24: Samoyeds' row indices (null: plain 2:4)
    RowSelection selection = {}; // with g
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
    /// A call whose contents break its rules (call_contents.h) fails the run with an error naming
    /// the call and the fault; what the run wrote is then not to be used.
    virtual Status run(const std::vector<KernelCall> &calls, std::vector<double> *timings = nullptr) = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char *name() const = 0;
    virtual std::vector<Device *> devices() = 0;
    /// Why devices() lists fewer than the machine may hold, a line each: no driver, a device too
    /// old or hidden by an environment variable. Empty when nothing was left out.
    virtual std::vector<std::string> leftOut() { return {}; }
};

/// Every backend built into this binary that found a device; the CPU backend is always first.
std::vector<Backend *> availableBackends();
std::vector<Device *> availableDevices();

/// Checks a call's shape against its buffers' sizes: the common part of supports().
bool callShapeValid(const KernelCall &call, std::string *why);

} // namespace seaside::backends
