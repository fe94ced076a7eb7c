#pragma once
#include "cost/cost_model.h"

namespace seaside::cost {

/// Roofline per layer with tile/wave quantisation over the SMs and kernel launch overhead;
/// 2:4 structured sparsity on Sparse Tensor Cores; Samoyeds' dual-side sparse MoE.
/// Formulas in engine/cost/README.md.
const CostModel &gpuModel();

constexpr double kGpuLaunchOverhead = 4e-6; // s per kernel launch (typical CUDA launch + sync gap)
constexpr double kGpuTile = 128;            // output tile edge of a tensor-core GEMM (CUTLASS 128x128)

/// Fraction of the SMs doing useful work over the waves of output tiles a GEMM launches.
double waveEfficiency(const GemmShape &g, int sms);

/// Sparse weight formats and what they keep (options "sparsity": dense | 2:4 | samoyeds).
struct SparseFormat {
    double computeFraction = 1;  // share of the dense MACs actually issued
    double weightFraction = 1;   // off-chip weight bytes relative to dense, metadata included
    bool sparseTensorCores = false;
};
SparseFormat sparseFormat(const LayerContext &ctx);

} // namespace seaside::cost
