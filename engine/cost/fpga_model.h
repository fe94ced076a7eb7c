#pragma once
#include "cost/cost_model.h"
#include "graph/tensor.h"

namespace seaside::cost {

/// The analytic FPGA model ("fpga-analytic"): Allo-style per-layer customisations (unroll,
/// pipeline II, tile, partition, dtype) turned into cycles, off-chip traffic and LUT/FF/DSP/BRAM;
/// GNNBuilder-style parallelism (p_in, p_out) for GNN layers; unzipFPGA's on-chip weight
/// generation for convolutions. Formulas and constants are listed at the top of fpga_model.cpp.
const CostModel &fpgaModel();

namespace fpga {

inline constexpr double kFillCycles = 100;       // pipeline fill/drain per layer (estimate)
inline constexpr double kBaseLut = 2000;         // control + AXI interfaces per layer (estimate)
inline constexpr double kFfPerLut = 2;           // FF ~ 2 x LUT (estimate)
inline constexpr double kBramBlockBytes = 4608;  // one BRAM36: 36 Kb = 4.5 KiB
inline constexpr double kUramBlockBytes = 36864; // one URAM: 288 Kb = 36 KiB
inline constexpr double kDefaultTile = 64;       // default tile edge [64, 64, 64]
inline constexpr double kDefaultRho = 0.25;      // unzipFPGA compression ratio default
inline constexpr double kGeneratorLut = 5000;    // unzipFPGA weights generator LUTs (estimate)
inline constexpr double kGeneratorDspShare = 0.1; // generator DSP = 0.1 x unroll x dspPerMac ...
inline constexpr double kGeneratorMinDsp = 8;     // ... but at least 8 (estimate)
inline constexpr double kMinUtilisation = 0.05;   // energy: utilisation clamped to [0.05, 1]

/// DSP48E2 slices per MAC lane: fp32 5 (3 multiply + 2 add), fp16/bf16 2, int8 0.5 (two MACs
/// packed per DSP, Xilinx WP486), int4 0.25.
double dspPerMac(graph::DType t);
/// LUTs per MAC lane (estimates): fp32 300, fp16/bf16 150, int8 30, int4 15.
double lutPerMac(graph::DType t);
/// BRAM36 blocks for a buffer of `bytes` split into `banks` banks, each bank whole blocks:
/// banks x ceil(bytes / banks / 4608); 0 for an empty buffer.
double bramBlocks(double bytes, double banks);

} // namespace fpga

} // namespace seaside::cost
