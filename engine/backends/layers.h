#pragma once
// The MoE and GNN layers on any Device, as sequences of its kernel calls (backend.h), so that a
// layer placed on a GPU runs there and is profiled call by call. The activations stay on the
// device; only the router's choices (8 bytes per token and expert) come back to the host, to
// size each expert's calls (as grouped-GEMM MoE implementations read back their counts).
#include "backends/backend.h"
#include "kernels/csr.h"
#include "kernels/moe.h"
#include "kernels/nm_sparse.h"
#include "kernels/samoyeds.h"

#include <memory>
#include <string>
#include <vector>

namespace seaside::backends {

struct CallTiming {
    std::string label; // "expert3.w1"
    double seconds = 0;
};

/// A layer's output, downloaded, with the device's timing of every call it made.
struct LayerRun {
    std::vector<float> y;
    std::vector<CallTiming> calls;
    double deviceSeconds() const;
};

/// A MoE block's weights as devices take them: the router dense, every projection 2:4 along k
/// (the Sparse Tensor Core format that Samoyeds' kernel feeds).
struct MoeSparse24Weights {
    std::vector<float> router; // [experts, hidden]
    std::vector<kernels::Sparse24> w1, w3, w2;
};
/// The two-level Samoyeds weights as plain 2:4 matrices with the same values (the rows a block
/// drops become zero groups), so that a device computes exactly what the CPU's Samoyeds layer does.
Expected<MoeSparse24Weights> toSparse24(const kernels::MoeShape &s, const kernels::MoeSamoyedsWeights &w);

/// A MoE layer with its weights uploaded once to a device. Its activations' buffers (tokens,
/// logits, routing, output, and each expert's token list, gates and hidden rows) are kept from one
/// run to the next and grown when an expert gets more tokens than before: a run allocates nothing
/// once every expert has had its largest share (on a GPU, an allocation costs more than a call).
class MoeOnDevice {
public:
    static Expected<MoeOnDevice> prepare(Device &device, const kernels::MoeShape &shape, const MoeSparse24Weights &w);
    /// Samoyeds' two-level weights as they are, on a device that runs Ssmm24 with a row selection
    /// (only the kept rows are multiplied); a matrix the device refuses that way goes as plain 2:4
    /// (toSparse24), the same values.
    static Expected<MoeOnDevice> prepare(Device &device, const kernels::MoeShape &shape,
                                         const kernels::MoeSamoyedsWeights &w);
    /// Router (Gemm, TopKGates), then per expert w1 (tokens gathered), w3 with w1's SiLU fused,
    /// w2 with the gates fused and scatter-added back to token order. x: [tokens, hidden].
    Expected<LayerRun> run(const float *x);
    /// How many of the experts' projections run with Samoyeds' row selection (the others as plain 2:4).
    std::size_t rowSelectedMatrices() const;

private:
    // One projection's weights on the device: 2:4 values and metadata, and with `indices`,
    // Samoyeds' row selection over them (KernelCall::g).
    struct Matrix {
        std::unique_ptr<Buffer> values, meta, indices;
        RowSelection selection;
    };
    struct Expert {
        Matrix w1, w3, w2;
        std::unique_ptr<Buffer> rows = {}, gates = {}, hidden = {}; // activations, kept between runs
    };
    static Expected<MoeOnDevice> start(Device &device, const kernels::MoeShape &shape, const std::vector<float> &router,
                                       std::size_t experts);
    static Expected<Matrix> upload(Device &device, const kernels::Sparse24 &w);
    static Expected<Matrix> upload(Device &device, const kernels::Samoyeds &w);
    static KernelCall call(const Matrix &w, Buffer *x, Buffer *rows, Buffer *y, std::int64_t m, std::int64_t n,
                           std::int64_t k, std::string label);
    Device *m_device = nullptr;
    kernels::MoeShape m_shape;
    std::unique_ptr<Buffer> m_router;
    std::unique_ptr<Buffer> m_x, m_logits, m_routing, m_y; // activations, kept between runs
    std::vector<Expert> m_experts;
};

/// y[r] = aggregate over row r's entries of value * x[col] (CsrSpmm).
Expected<LayerRun> runAggregate(Device &device, const kernels::Csr &a, const float *x, std::int64_t features,
                                Aggregation how);
/// GCN: y = A_hat x W^T, as aggregation then GEMM (w: [fOut, fIn]).
Expected<LayerRun> runGcn(Device &device, const kernels::Csr &ahat, const float *x, std::int64_t fIn, const float *w,
                          std::int64_t fOut);
/// GraphSAGE (mean): y = x Wself^T + mean(neighbours) Wneigh^T.
Expected<LayerRun> runSage(Device &device, const kernels::Csr &a, const float *x, std::int64_t fIn, const float *wSelf,
                           const float *wNeigh, std::int64_t fOut);

} // namespace seaside::backends
