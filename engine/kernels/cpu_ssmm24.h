#pragma once
#include "kernels/nm_sparse.h"
#include "kernels/samoyeds.h"

#include <cstdint>
#include <vector>

namespace seaside::kernels::cpu {

/// Y[i,n] = X[rows[i],:] . W[n,:]^T with W 2:4-sparse (rows null: row i). Multithreaded; AVX2 +
/// FMA where the CPU has them. The rows of X are gathered straight into the kernel's packed
/// operand (transposed tiles of up to 64 tokens, packed once per call before the product, as any
/// GEMM packs its operands): there is no separate gathered copy of a MoE expert's tokens. Then
/// each kept weight multiplies a vector of 8 tokens: half the multiply-adds of the dense product.
/// `accumulate` adds into Y.
void ssmm24(const float *x, std::int64_t xCols, const Sparse24View &w, const std::uint32_t *rows, float *y,
            std::int64_t m, std::int64_t yStride, bool accumulate = false);

/// W rearranged for the CPU kernel, once (weights are static, as oneDNN reorders them): for each
/// block of 128 rows and each k-block of 64 columns, the rows' kept values and metadata words side
/// by side. Read in place, rows of W lie k/2 floats apart, a stride that leaves the kernel waiting
/// on memory (~25 % slower at k = 4096 in a micro-benchmark).
/// Where a row's kept values over a whole k-block are zero (a row that Samoyeds' two-level format
/// drops from a block of V columns, once written as plain 2:4, as the devices take it), the
/// product skips it for every tile of tokens whose values there are all finite: `live` lists,
/// for each block of 128 rows and each k-block, the rows (within the block) that have a nonzero
/// value there, from liveStart[block * kBlocks + kBlock].
struct Sparse24Cpu {
    std::int64_t rows = 0, k = 0;
    std::vector<float> values;
    std::vector<std::uint32_t> meta;
    std::vector<std::uint8_t> live;
    std::vector<std::int64_t> liveStart;
};
Sparse24Cpu prepareForCpu(const Sparse24View &w);
/// The most memory prepareForCpu(w) takes, in bytes (values, metadata and live-row lists).
std::size_t preparedBytes(const Sparse24View &w);
/// ssmm24 as above, on prepared weights.
void ssmm24(const float *x, std::int64_t xCols, const Sparse24Cpu &w, const std::uint32_t *rows, float *y,
            std::int64_t m, std::int64_t yStride, bool accumulate = false);

/// What happens to each result as it leaves the kernel (the fusions of Samoyeds' MoE block).
struct SsmmOutput {
    enum class Epilogue {
        Store,          // y[i, r] = acc (+= with accumulate)
        SiluMul,        // y[i, r] = silu(other[i, r]) * acc: w3 with w1's SiLU gate
        GateScatterAdd, // y[scatter[i], r] += gates[i] * acc: w2 back to token order (scatter rows distinct)
    };
    float *y = nullptr;
    std::int64_t yStride = 0;
    Epilogue epilogue = Epilogue::Store;
    const float *other = nullptr;
    std::int64_t otherStride = 0;
    const float *gates = nullptr;
    const std::uint32_t *scatter = nullptr;
    bool accumulate = false; // Store only
};

/// As above (weights read in place), each finished tile through `out`'s epilogue.
void ssmm24(const float *x, std::int64_t xCols, const Sparse24View &w, const std::uint32_t *rows, std::int64_t m,
            const SsmmOutput &out);
/// On prepared weights, each finished tile through `out`'s epilogue (i indexes the m tokens of
/// the call), as the device kernels fuse it: no m x n intermediate, no second pass over it.
void ssmm24(const float *x, std::int64_t xCols, const Sparse24Cpu &w, const std::uint32_t *rows, std::int64_t m,
            const SsmmOutput &out);

/// Y = X[rows] . W^T with W in Samoyeds' two-level format: each compact row contributes, per
/// block of V columns, to the original row it stands for there. Rows of W that a block drops
/// receive nothing from it. Multithreaded over tiles of tokens and groups of weight rows.
/// `prepared`, when given, is prepareForCpu(w.compact): read instead of the compact matrix
/// where V is a multiple of 64.
void ssmmSamoyeds(const float *x, std::int64_t xCols, const SamoyedsView &w, const std::uint32_t *rows, std::int64_t m,
                  const SsmmOutput &out, const Sparse24Cpu *prepared = nullptr);

} // namespace seaside::kernels::cpu
