#pragma once
// Launchers of the CUDA kernels, shared by the .cu files. Every launcher checks nothing about the
// buffers (CudaDevice::supports did) and returns the launch's error; sizes are element counts.
// Every launch goes to the given stream, so the calls of one run() execute in order.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace seaside::backends::cuda {

/// Y[m,n] (+)= X[m,k] . W[n,k]^T, fp32 (gemm.cu); `accumulate` adds into Y.
cudaError_t launchGemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k,
                       bool accumulate, cudaStream_t stream);

/// Y[m,n] (+)= X[m,k] . W[n,k]^T with X and W fp16 (IEEE half, as raw 16-bit words) and Y fp32,
/// on tensor cores (mma.sync m16n8k16, fp32 accumulation; gemm_f16.cu).
cudaError_t launchGemmF16(const std::uint16_t *x, const std::uint16_t *w, float *y, std::int64_t m, std::int64_t n,
                          std::int64_t k, bool accumulate, cudaStream_t stream);

/// What Ssmm24 does with each result acc = X[row(i),:] . W[c,:] (backend.h's Epilogue).
enum class SsmmEpilogue {
    Store,          // Y[i,c] = acc, or Y[i,c] += acc with `accumulate`
    SiluMul,        // Y[i,c] = silu(e[i,c]) * acc; e may be Y itself
    GateScatterAdd, // Y[scatter[i],c] += e[i] * acc, scatter rows at or past yRows skipped
};

/// The operands of Ssmm24 (kernels/nm_sparse.h): Y[i,n] = X[row(i),:] . W[n,:]^T, W 2:4 along k.
struct Ssmm24Args {
    const float *x = nullptr;          // [xRows, k]
    std::int64_t xRows = 0;            // rows of X: gathered row ids past it read as zeros
    const float *values = nullptr;     // [n, k/2]
    const std::uint32_t *meta = nullptr; // [n, (k/4+7)/8]
    const std::uint32_t *rows = nullptr; // [m] or null (row i of X)
    float *y = nullptr;                // [m, n], or [yRows, n] for GateScatterAdd
    std::int64_t m = 0, n = 0, k = 0;
    SsmmEpilogue epilogue = SsmmEpilogue::Store;
    bool accumulate = false;           // Store only
    const float *e = nullptr;          // SiluMul: [m, n]; GateScatterAdd: gates [m]
    const std::uint32_t *scatter = nullptr; // GateScatterAdd: [m]
    std::int64_t yRows = 0;            // GateScatterAdd
};

enum class Ssmm24Path {
    CudaCore,   // fp32 FMA, every architecture: matches the reference to fp32 rounding
    TensorCore, // mma.sp m16n8k32, fp16 operands, fp32 accumulation: sm_80 and later
};
/// The path for a device of compute capability ccMajor.ccMinor and this shape. The environment
/// variable SEASIDE_CUDA_SSMM=cuda-core forces the CUDA-core path; =tensor-core asks for the Sparse
/// Tensor Core path on any shape. The launcher still takes the CUDA cores where the tensor-core
/// kernel cannot run: operands not aligned for cp.async, k past 2^31 - 65, or a device that gives
/// a block less shared memory than its 128-token tile needs (sm_86, sm_89: 99 KB).
Ssmm24Path ssmm24Choose(int ccMajor, std::int64_t m, std::int64_t n, std::int64_t k);
const char *ssmm24PathName(Ssmm24Path path);
/// The shared memory a block of the tensor-core kernel takes: a device whose blocks may have less
/// runs every Ssmm24 on the CUDA cores.
std::size_t ssmm24TensorCoreBlockBytes();
cudaError_t launchSsmm24(const Ssmm24Args &args, Ssmm24Path path, cudaStream_t stream);

/// The contents checks of a call (contents.cu), queued ahead of its kernel: kCheck* bits
/// (backends/call_contents.h) in *flag. A gate scatter-add needs `seen`, (yRows + 31) / 32 words
/// that the check zeroes first. A call with no results checks nothing.
cudaError_t launchSsmm24Checks(const Ssmm24Args &args, std::uint32_t *flag, std::uint32_t *seen, cudaStream_t stream);
cudaError_t launchCsrChecks(const std::int32_t *rowPtr, const std::int32_t *colIdx, std::int64_t rows, std::int64_t cols,
                            std::int64_t features, std::int64_t nnz, std::uint32_t *flag, cudaStream_t stream);

/// How CsrSpmm combines a row's products (backend.h's Aggregation).
enum class CsrAggregation { Sum, Mean, Max };

/// Y[r,f] = aggregate over row r's entries e of vals[e] * X[colIdx[e], f]; rows x features, X has
/// cols rows. A row without entries gives 0.
cudaError_t launchCsrSpmm(const std::int32_t *rowPtr, const std::int32_t *colIdx, const float *vals,
                          const float *x, float *y, std::int64_t rows, std::int64_t cols,
                          std::int64_t features, std::int64_t nnz, CsrAggregation how, cudaStream_t stream);

/// The most experts TopKGates gives a warp per row (it scans the row k times); wider rows get a
/// block each.
constexpr std::int64_t kTopKWarpExperts = 1024;
/// Router: ids [m, k] uint32 (largest logit first, ties to the lower id) and gates [m, k], the
/// softmax probabilities of the kept experts renormalised to sum 1; NaN logits never picked, short
/// rows padded with 0xffffffff and gate 0 (router.cu; the rule is kernels/router.h's).
cudaError_t launchTopKGates(const float *logits, std::uint32_t *ids, float *gates, std::int64_t m,
                            std::int64_t experts, std::int64_t k, cudaStream_t stream);

/// Blocks along one grid axis: y and z stop at 65535, so kernels loop over the tiles past it.
inline unsigned gridAxis(std::int64_t tiles, std::int64_t limit = 65535) {
    return unsigned(tiles < 1 ? 1 : (tiles > limit ? limit : tiles));
}

} // namespace seaside::backends::cuda
