// The analytic FPGA cost model ("fpga-analytic").
//
// Per-layer customisations (Allo, PLDI'24) come from the layer's options:
//   unroll       MAC lanes issued per cycle                       default 1
//   pipeline_ii  initiation interval, cycles                      default 1
//   tile         [tm, tn, tk] of the layer's GEMM (M x K by K x N) default [64, 64, 64]
//                (one value: all three; two: tk = 64); clamped to the layer's M, N, K
//   partition    banks each on-chip buffer is split into          default unroll
//   dtype        ctx.dtype
// GNN layers (GNNBuilder): p_in, p_out parallelism factors, default 1.
// Convolutions (unzipFPGA): weights_on_the_fly = 1, compression_ratio rho (default 0.25).
//
// Compute
//   MAC layers (linear, conv, matmul, attention, MoE):
//     cycles = ceil(MACs / unroll) * II + FILL                    FILL = 100 cycles (estimate:
//              depth of a floating-point MAC pipeline plus loop entry/exit)
//     ops = 2 * MACs; peak = 2 * unroll * clock / II (bias adds ride in the accumulator write-back)
//   Other layers (activation, norm, pool, softmax, elementwise):
//     cycles = ceil(FLOPs / unroll) * II + FILL; ops = FLOPs; peak = unroll * clock / II
//   Layers with no work (reshape, embedding lookup, concat): cycles = 0, no resources.
//   GNN layers, with the transform/aggregation split of node_metrics (graph/README.md):
//     cycles = (ceil(T / (p_in * p_out)) + ceil(A / p_agg)) * II + FILL
//       gcn:  T = N*F*F'               A = (E + N)*F'   p_agg = p_out (aggregates after transform)
//       sage: T = 2*N*F*F'             A = E*F          p_agg = p_in  (aggregates before)
//       gin:  T = N*(F*F' + F'*F')     A = (E + N)*F    p_agg = p_in
//       gat:  T = N*F*h*F' + 2*N*h*F'  A = E*h*F'       p_agg = p_out
//     ops = 2 * (T + A); peak = 2 * p_in * p_out * clock / II
//   compute time = cycles / clockHz (device clock; 300 MHz when the spec has none: the default
//   Vitis kernel clock).
//
// Off-chip traffic (bytes at the layer's dtype: graph bytes x ctx.bytesScale())
//   activations in (inputs) + activations out + weights + KV cache (attention's stateBytes).
//   Tiling re-reads for GEMM layers: inputs are re-read ceil(N / tn) times, weights ceil(M / tm)
//   times, unless the weights fit in on-chip memory (BRAM x 4.5 KiB + URAM x 36 KiB), then once.
//   MatMul: the second operand plays the weights' part (re-read ceil(rows / tm), once if it fits).
//   GNN: features + edge indices (int64 COO, not rescaled) + weights + outputs, each once.
//   memory time = bytes / memBandwidth.
// Latency = max(compute, memory): double-buffered dataflow overlaps the two.
// intensity = ops / off-chip bytes; attainable = min(peak, memBandwidth x intensity);
// memoryBound = memory time > compute time.
//
// Weights generated on the fly (unzipFPGA, conv only)
//   off-chip (and resident) weight bytes x rho, so intensity = ops / (act bytes + rho x W bytes);
//   generator: + max(8, 0.1 x unroll x dspPerMac) DSP, + 5000 LUT (estimates);
//   cycles: generation (params / unroll cycles) overlaps the MACs, so MAC cycles become
//   max(ceil(MACs / unroll), ceil(params / unroll)) (for a conv params <= MACs: hidden), plus
//   ceil(tk * tn / unroll) cycles to generate the first weight tile before the first MAC.
//
// Resources (ResourceUse)
//   DSP = unroll * dspPerMac(dtype)    (GNN: p_in * p_out * dspPerMac)
//     fp32 5: 3 DSP48E2 for the multiplier + 2 for the adder (typical Xilinx FP IP, estimate)
//     fp16/bf16 2 (estimate); int8 0.5: two int8 MACs packed per DSP48E2 (Xilinx WP486);
//     int4 0.25 (four per DSP, estimate)
//   LUT = 2000 + lanes * lutPerMac: fp32 300, fp16/bf16 150, int8 30, int4 15 (all estimates)
//   FF  = 2 x LUT (estimate)
//   BRAM (36 Kb = 4.5 KiB blocks): each buffer split into `partition` banks (no more banks than
//   elements), each bank whole blocks: banks x ceil(bytes / banks / 4608) -- so at least
//   `partition` blocks per buffer.
//     GEMM layers: input tile tm*tk, weight tile tk*tn, output tile tm*tn, dtype bytes each,
//       double-buffered (x2).
//     Other layers: an input and an output stream buffer of min(tm*tk, E(x)) elements, x2.
//     GNN: the layer's weights (on chip, loaded once; banks p_in*p_out) + one node's input
//       features (F, banks p_in) and output features (h*F', banks p_out), double-buffered.
//   URAM: not used by this model.
//   Budgets are not checked here: the plan precheck sums resources over layers.
//
// Energy (dynamic, above idle): (maxPower - idlePower) * utilisation * latency,
//   utilisation = DSP used / DSP available, clamped to [0.05, 1] (the memory system and
//   control draw power even when few DSPs are busy).
// weightBytes = weights resident off-chip (x rho when generated on the fly);
// workingBytes = activations in + out (+ KV cache).
#include "cost/fpga_model.h"

#include "graph/shape_inference.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace seaside::cost {

namespace fpga {

double dspPerMac(graph::DType t) {
    switch (t) {
    case graph::DType::F32:
        return 5;
    case graph::DType::F16:
    case graph::DType::BF16:
        return 2;
    case graph::DType::I8:
        return 0.5;
    case graph::DType::I4:
        return 0.25;
    }
    return 5;
}

double lutPerMac(graph::DType t) {
    switch (t) {
    case graph::DType::F32:
        return 300;
    case graph::DType::F16:
    case graph::DType::BF16:
        return 150;
    case graph::DType::I8:
        return 30;
    case graph::DType::I4:
        return 15;
    }
    return 300;
}

double bramBlocks(double bytes, double banks) {
    if (bytes <= 0)
        return 0;
    banks = std::max(1.0, std::floor(banks));
    return banks * std::ceil(bytes / banks / kBramBlockBytes);
}

} // namespace fpga

namespace {

using graph::OpKind;
using namespace fpga;

constexpr double kDefaultClockHz = 300e6; // default Vitis kernel clock when the spec has none
constexpr double kIndexBytesPerEdge = 2 * 8; // COO source + destination, int64 (node_metrics)

struct Tile {
    double m = kDefaultTile, n = kDefaultTile, k = kDefaultTile;
};

Tile tileOption(const graph::Attrs &opt) {
    const auto v = opt.getInts("tile");
    Tile t;
    if (v.size() == 1)
        t.m = t.n = t.k = double(v[0]);
    else if (v.size() >= 2) {
        t.m = double(v[0]);
        t.n = double(v[1]);
        if (v.size() >= 3)
            t.k = double(v[2]);
    }
    t.m = std::max(1.0, t.m);
    t.n = std::max(1.0, t.n);
    t.k = std::max(1.0, t.k);
    return t;
}

// A buffer of `elems` elements of `elemBytes`, `copies` times (2: double-buffered), in banks.
double bufferBlocks(double elems, double elemBytes, double copies, double partition) {
    if (elems <= 0)
        return 0;
    return bramBlocks(elems * elemBytes * copies, std::min(partition, elems));
}

double ceilDiv(double a, double b) { return a <= 0 ? 0 : std::ceil(a / std::max(1.0, b)); }

class FpgaModel final : public CostModel {
public:
    double coverage(const LayerContext &ctx, std::string *reason) const override {
        if (!ctx.device.fpga) {
            if (reason)
                *reason = "not an FPGA: the device lists no LUT/DSP/BRAM resources";
            return 0;
        }
        return dtypeCoverage(ctx, reason);
    }

    Estimate estimateNode(const LayerContext &ctx) const override;

    const char *name() const override { return "fpga-analytic"; }
};

Estimate FpgaModel::estimateNode(const LayerContext &ctx) const {
    const graph::NodeMetrics &m = ctx.metrics;
    const graph::Attrs &opt = ctx.options;
    const hw::DeviceSpec &dev = ctx.device;
    const OpKind kind = ctx.node.kind;

    const double scale = ctx.bytesScale();
    const double clock = dev.clockHz > 0 ? dev.clockHz : kDefaultClockHz;
    const double ii = std::max(1.0, opt.getDouble("pipeline_ii", 1));
    const double unroll = std::max(1.0, std::floor(opt.getDouble("unroll", 1)));
    const double dpm = dspPerMac(ctx.dtype);
    const double lpm = lutPerMac(ctx.dtype);
    const double elemBytes = graph::dtypeBytes(ctx.dtype);
    const double onchipBytes =
        dev.fpga ? double(dev.fpga->bram) * kBramBlockBytes + double(dev.fpga->uram) * kUramBlockBytes : 0;

    // Bytes at the layer's dtype. GNN edge indices are int64 whatever the feature dtype.
    const double indexBytes =
        kind == OpKind::GnnConv ? double(ctx.node.attrs.getInt("num_edges")) * kIndexBytesPerEdge : 0;
    const double weightBytes = m.weightBytes * scale;
    const double actIn = std::max(0.0, m.bytesRead - m.weightBytes - indexBytes) * scale + indexBytes;
    const double actOut = m.bytesWritten * scale;
    const double stateBytes = m.stateBytes * scale;

    double cycles = 0;       // compute cycles
    double ops = 0;          // operations the cycles execute
    double peakPerCycle = 0; // ops per cycle at this configuration
    double traffic = 0;      // off-chip bytes
    double resident = weightBytes;
    ResourceUse r;

    if (kind == OpKind::GnnConv) {
        const double pin = std::max(1.0, std::floor(opt.getDouble("p_in", 1)));
        const double pout = std::max(1.0, std::floor(opt.getDouble("p_out", 1)));
        const graph::TensorDesc *x = ctx.inputs.empty() ? nullptr : &ctx.inputs[0];
        const double nodes = x && !x->shape.empty() ? double(x->shape[0]) : 0;
        const double f = x && !x->shape.empty() ? double(x->shape.back()) : 1;
        const double outLast =
            ctx.node.outputs.empty() || ctx.node.outputs[0].shape.empty() ? 1 : double(ctx.node.outputs[0].shape.back());
        const double fo = double(ctx.node.attrs.getInt("out_features", std::int64_t(outLast)));
        const double h = double(ctx.node.attrs.getInt("heads", 1));
        const double edges = double(ctx.node.attrs.getInt("num_edges"));
        const std::string variant = ctx.node.attrs.getString("variant", "gcn");

        double transform = 0, aggregate = 0, aggPar = pout, outFeatures = fo;
        if (variant == "sage") {
            transform = 2 * nodes * f * fo;
            aggregate = edges * f;
            aggPar = pin;
        } else if (variant == "gin") {
            transform = nodes * (f * fo + fo * fo);
            aggregate = (edges + nodes) * f;
            aggPar = pin;
        } else if (variant == "gat") {
            transform = nodes * f * h * fo + 2 * nodes * h * fo;
            aggregate = edges * h * fo;
            outFeatures = h * fo;
        } else { // gcn
            transform = nodes * f * fo;
            aggregate = (edges + nodes) * fo;
        }
        const double work = transform + aggregate;
        if (work > 0)
            cycles = (ceilDiv(transform, pin * pout) + ceilDiv(aggregate, aggPar)) * ii + kFillCycles;
        ops = 2 * work;
        peakPerCycle = 2 * pin * pout / ii;
        traffic = actIn + weightBytes + actOut;

        const double lanes = pin * pout;
        const double partition = opt.getDouble("partition", 0);
        r.dsp = lanes * dpm;
        r.lut = kBaseLut + lanes * lpm;
        r.bram = bufferBlocks(m.params, elemBytes, 1, partition > 0 ? partition : lanes) +
                 bufferBlocks(f, elemBytes, 2, partition > 0 ? partition : pin) +
                 bufferBlocks(outFeatures, elemBytes, 2, partition > 0 ? partition : pout);
    } else if (m.macs > 0) {
        const std::optional<GemmShape> g = ctx.gemm();
        const Tile tile = tileOption(opt);
        const double tm = g ? std::min(tile.m, std::max(1.0, g->m)) : tile.m;
        const double tn = g ? std::min(tile.n, std::max(1.0, g->n)) : tile.n;
        const double tk = g ? std::min(tile.k, std::max(1.0, g->k)) : tile.k;

        const bool unzip = kind == OpKind::Conv && opt.getInt("weights_on_the_fly", 0) != 0;
        const double rho = unzip ? std::clamp(opt.getDouble("compression_ratio", kDefaultRho), 0.0, 1.0) : 1.0;

        // Off-chip traffic with tiling re-reads.
        const double inputRereads = g ? ceilDiv(g->n, tn) : 1;
        if (kind == OpKind::MatMul && ctx.inputs.size() >= 2) {
            const graph::TensorDesc &a = ctx.inputs[0];
            double aBytes = a.bytes() * scale, bBytes = 0;
            for (std::size_t i = 1; i < ctx.inputs.size(); ++i)
                bBytes += ctx.inputs[i].bytes() * scale;
            const auto as = graph::matmulOperand(ctx.node, a.shape, 0); // Gemm may transpose A
            const double rows = as.size() >= 2 ? double(as[as.size() - 2]) : 1;
            const double bRereads = bBytes > onchipBytes ? ceilDiv(rows, tm) : 1;
            traffic = aBytes * std::max(1.0, inputRereads) + bBytes * std::max(1.0, bRereads);
        } else {
            const double streamed = weightBytes * rho; // unzipFPGA: the compact form only
            const double weightRereads = g && streamed > onchipBytes ? ceilDiv(g->m, tm) : 1;
            traffic = actIn * std::max(1.0, inputRereads) + streamed * std::max(1.0, weightRereads);
            resident = streamed;
        }
        traffic += actOut;

        double macCycles = ceilDiv(m.macs, unroll);
        if (unzip)
            macCycles = std::max(macCycles, ceilDiv(m.params, unroll));
        cycles = macCycles * ii + kFillCycles + (unzip ? ceilDiv(tk * tn, unroll) : 0);
        ops = 2 * m.macs;
        peakPerCycle = 2 * unroll / ii;

        const double partition = std::max(1.0, std::floor(opt.getDouble("partition", unroll)));
        r.dsp = unroll * dpm;
        r.lut = kBaseLut + unroll * lpm;
        if (unzip) {
            r.dsp += std::max(kGeneratorMinDsp, kGeneratorDspShare * unroll * dpm);
            r.lut += kGeneratorLut;
        }
        r.bram = bufferBlocks(tm * tk, elemBytes, 2, partition) + bufferBlocks(tk * tn, elemBytes, 2, partition) +
                 bufferBlocks(tm * tn, elemBytes, 2, partition);
    } else if (m.flops > 0) {
        cycles = ceilDiv(m.flops, unroll) * ii + kFillCycles;
        ops = m.flops;
        peakPerCycle = unroll / ii;
        traffic = actIn + actOut + weightBytes;

        const Tile tile = tileOption(opt);
        const double inElems = ctx.inputs.empty() ? 0 : double(ctx.inputs[0].elements());
        const double streamElems = inElems > 0 ? std::min(tile.m * tile.k, inElems) : tile.m * tile.k;
        const double partition = std::max(1.0, std::floor(opt.getDouble("partition", unroll)));
        r.dsp = unroll * dpm;
        r.lut = kBaseLut + unroll * lpm;
        r.bram = 2 * bufferBlocks(streamElems, elemBytes, 2, partition);
    } else {
        traffic = actIn + actOut + weightBytes; // moves data, computes nothing
    }
    traffic += stateBytes; // the KV cache streams through off-chip memory
    r.ff = kFfPerLut * r.lut;

    Estimate e;
    e.source = name();
    e.computeTime = cycles / clock;
    e.memoryTime = dev.memBandwidth > 0 ? traffic / dev.memBandwidth : 0;
    e.latency = std::max(e.computeTime, e.memoryTime);
    e.intensity = traffic > 0 ? ops / traffic : 0;
    const double peak = peakPerCycle * clock;
    e.attainable = traffic > 0 && dev.memBandwidth > 0 ? std::min(peak, dev.memBandwidth * e.intensity) : peak;
    e.memoryBound = e.memoryTime > e.computeTime;
    e.weightBytes = resident;
    e.workingBytes = actIn + actOut + stateBytes;
    e.resources = r;

    const double dspAvailable = dev.fpga ? double(dev.fpga->dsp) : 0;
    const double utilisation =
        std::clamp(dspAvailable > 0 ? r.dsp / dspAvailable : 1.0, kMinUtilisation, 1.0);
    e.energy = std::max(0.0, dev.maxPower - dev.idlePower) * utilisation * e.latency;
    return e;
}

} // namespace

const CostModel &fpgaModel() {
    static const FpgaModel model;
    return model;
}

} // namespace seaside::cost
