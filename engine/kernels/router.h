#pragma once
// The MoE router's selection: softmax over each token's expert logits, the k most probable
// experts kept, their probabilities renormalised to sum 1. The experts are ranked by logit (the
// softmax is monotone), ties to the lower expert id: comparing logits is exact, where comparing
// probabilities would let one ulp of exp swap two experts between backends.
// The CPU's implementation and the oracle the device kernels are checked against.
//
// Non-finite logits, the same on every backend: a NaN logit is never picked, and a row with
// fewer than k logits that are not NaN fills its last slots with kNoExpert and gate 0 (callers
// say which token's logits were NaN). A logit equal to the row's largest has p = 1 exactly, so
// a row whose top is +inf splits its gates among its +inf logits instead of turning NaN.
#include "core/expected.h"

#include <cstdint>

namespace seaside::kernels {

/// The id of a slot the router could not fill (its logits were NaN).
inline constexpr std::uint32_t kNoExpert = 0xffffffffu;

/// logits [m, experts] -> ids [m, k] (most probable first) and gates [m, k].
void topKGates(const float *logits, std::int64_t m, std::int64_t experts, std::int64_t k, std::uint32_t *ids,
               float *gates);

/// The router's choices are usable: an error names the first token with a kNoExpert slot (its
/// logits were NaN) or an id past the experts (a device's buffer gone wrong).
Status checkChoices(const std::uint32_t *ids, std::int64_t m, std::int64_t experts, std::int64_t k);

} // namespace seaside::kernels
