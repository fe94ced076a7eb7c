// Contents checks on the device (backends/call_contents.h): launched ahead of a call's kernel on
// the same stream, they read its ids, scatter rows, 2:4 metadata or CSR pattern and set kCheck*
// bits in the call's flag word. Separate kernels rather than checks inside the tuned ones: they
// read a few bytes per row or group, and keep the compute kernels as they are. The host reports
// a flagged call in the CPU device's words.
#include "backends/call_contents.h"
#include "backends/cuda/kernels.cuh"

namespace seaside::backends::cuda {

namespace {

constexpr int kThreads = 256;

// Grid-stride loops: a grid of at most 1024 blocks covers any count.
unsigned blocksFor(std::int64_t count) {
    const std::int64_t blocks = (count + kThreads - 1) / kThreads;
    return unsigned(blocks < 1 ? 1 : blocks > 1024 ? 1024 : blocks);
}

__global__ void checkRows(const std::uint32_t *rows, std::int64_t m, std::int64_t xRows, std::uint32_t *flag) {
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < m; i += std::int64_t(gridDim.x) * blockDim.x)
        if (std::int64_t(rows[i]) >= xRows)
            atomicOr(flag, unsigned(kCheckRowIds));
}

// Inside Y, and each row once: seen holds a bit per row of Y, zeroed before the call.
__global__ void checkScatter(const std::uint32_t *rows, std::int64_t m, std::int64_t yRows, std::uint32_t *seen,
                             std::uint32_t *flag) {
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < m; i += std::int64_t(gridDim.x) * blockDim.x) {
        const std::uint32_t r = rows[i];
        if (std::int64_t(r) >= yRows) {
            atomicOr(flag, unsigned(kCheckScatterRange));
            continue;
        }
        const unsigned bit = 1u << (r % 32u);
        if (atomicOr(reinterpret_cast<unsigned *>(seen) + r / 32u, bit) & bit)
            atomicOr(flag, unsigned(kCheckScatterRepeat));
    }
}

// Every group of every row: its two positions increasing (the nibble one of 4, 8, 9, 12, 13, 14).
__global__ void checkMetadata(const std::uint32_t *meta, std::int64_t n, std::int64_t groups, std::int64_t words,
                              std::uint32_t *flag) {
    for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < n * groups;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        const std::int64_t r = i / groups, g = i % groups;
        const unsigned nibble = (meta[r * words + g / 8] >> (g % 8 * 4)) & 15u;
        if (!((0x7310u >> nibble) & 1u))
            atomicOr(flag, unsigned(kCheckMetadata));
    }
}

__global__ void checkCsr(const std::int32_t *rowPtr, const std::int32_t *colIdx, std::int64_t rows, std::int64_t cols,
                         std::int64_t nnz, std::uint32_t *flag) {
    const std::int64_t stride = std::int64_t(gridDim.x) * blockDim.x, first = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x;
    for (std::int64_t r = first; r < rows; r += stride)
        if ((r == 0 && rowPtr[0] != 0) || (r + 1 == rows && rowPtr[rows] != nnz) || rowPtr[r + 1] < rowPtr[r])
            atomicOr(flag, unsigned(kCheckRowPointers));
    for (std::int64_t e = first; e < nnz; e += stride)
        if (colIdx[e] < 0 || colIdx[e] >= cols)
            atomicOr(flag, unsigned(kCheckColumns));
}

} // namespace

cudaError_t launchSsmm24Checks(const Ssmm24Args &a, std::uint32_t *flag, std::uint32_t *seen, cudaStream_t stream) {
    if (a.m == 0 || a.n == 0)
        return cudaSuccess;
    if (a.rows)
        checkRows<<<blocksFor(a.m), kThreads, 0, stream>>>(a.rows, a.m, a.xRows, flag);
    if (a.epilogue == SsmmEpilogue::GateScatterAdd) {
        if (cudaError_t err = cudaMemsetAsync(seen, 0, std::size_t((a.yRows + 31) / 32) * 4, stream); err != cudaSuccess)
            return err;
        checkScatter<<<blocksFor(a.m), kThreads, 0, stream>>>(a.scatter, a.m, a.yRows, seen, flag);
    }
    if (a.k >= 4)
        checkMetadata<<<blocksFor(a.n * (a.k / 4)), kThreads, 0, stream>>>(a.meta, a.n, a.k / 4, (a.k / 4 + 7) / 8, flag);
    return cudaGetLastError();
}

cudaError_t launchCsrChecks(const std::int32_t *rowPtr, const std::int32_t *colIdx, std::int64_t rows, std::int64_t cols,
                            std::int64_t features, std::int64_t nnz, std::uint32_t *flag, cudaStream_t stream) {
    if (rows == 0 || features == 0)
        return cudaSuccess;
    checkCsr<<<blocksFor(rows > nnz ? rows : nnz), kThreads, 0, stream>>>(rowPtr, colIdx, rows, cols, nnz, flag);
    return cudaGetLastError();
}

} // namespace seaside::backends::cuda
