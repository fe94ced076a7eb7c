#pragma once
// The MoE router's selection: softmax over each token's expert logits, the k most probable
// experts kept (ties to the lower expert id), their probabilities renormalised to sum 1.
// The CPU's implementation and the oracle the device kernels are checked against.
#include <cstdint>

namespace seaside::kernels {

/// logits [m, experts] -> ids [m, k] (most probable first) and gates [m, k].
void topKGates(const float *logits, std::int64_t m, std::int64_t experts, std::int64_t k, std::uint32_t *ids,
               float *gates);

} // namespace seaside::kernels
