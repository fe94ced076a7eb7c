#pragma once
// Launchers of the CUDA kernels, shared by the .cu files. Every launcher checks nothing about the
// buffers (CudaDevice::supports did) and returns the launch's error; sizes are element counts.
#include <cuda_runtime.h>

#include <cstdint>

namespace seaside::backends::cuda {

/// Y[m,n] = X[m,k] . W[n,k]^T, fp32 (gemm.cu).
cudaError_t launchGemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k,
                       cudaStream_t stream);

/// The operands of Ssmm24 (kernels/nm_sparse.h): Y[i,n] = X[row(i),:] . W[n,:]^T, W 2:4 along k.
struct Ssmm24Args {
    const float *x = nullptr;          // [xRows, k]
    std::int64_t xRows = 0;            // rows of X: gathered row ids past it read as zeros
    const float *values = nullptr;     // [n, k/2]
    const std::uint32_t *meta = nullptr; // [n, (k/4+7)/8]
    const std::uint32_t *rows = nullptr; // [m] or null (row i of X)
    float *y = nullptr;                // [m, n]
    std::int64_t m = 0, n = 0, k = 0;
};

enum class Ssmm24Path {
    CudaCore,   // fp32 FMA, every architecture: matches the reference to fp32 rounding
    TensorCore, // mma.sp m16n8k32, fp16 operands, fp32 accumulation: sm_80 and later
};
/// The path for a device of compute capability ccMajor.ccMinor and this shape. The environment
/// variable SEASIDE_CUDA_SSMM=cuda-core forces the CUDA-core path; =tensor-core forces the Sparse
/// Tensor Core path wherever the device has one (any shape).
Ssmm24Path ssmm24Choose(int ccMajor, std::int64_t m, std::int64_t n, std::int64_t k);
const char *ssmm24PathName(Ssmm24Path path);
cudaError_t launchSsmm24(const Ssmm24Args &args, Ssmm24Path path, cudaStream_t stream);

/// Y[r,f] = sum over row r's entries e of vals[e] * X[colIdx[e], f]; rows x features, X has cols rows.
cudaError_t launchCsrSpmm(const std::int32_t *rowPtr, const std::int32_t *colIdx, const float *vals,
                          const float *x, float *y, std::int64_t rows, std::int64_t cols,
                          std::int64_t features, std::int64_t nnz, cudaStream_t stream);

/// Blocks along one grid axis: y and z stop at 65535, so kernels loop over the tiles past it.
inline unsigned gridAxis(std::int64_t tiles, std::int64_t limit = 65535) {
    return unsigned(tiles < 1 ? 1 : (tiles > limit ? limit : tiles));
}

} // namespace seaside::backends::cuda
