#version 450
// The MoE router's selection: for each row of logits [rows, experts], the k most probable experts
// (ties to the lower id), most probable first, and their softmax probabilities renormalised over
// the k kept. Out = ids [rows, k] uint32, then gates [rows, k] fp32 (as bits) at word rows*k.
// The oracle is engine/kernels/router.cpp.
#extension GL_GOOGLE_include_directive : enable
#include "common/push_constants.glsl"
#include "common/util.glsl"
#include "common/topk.glsl"

// One invocation per row, on CPU implementations (ops/topk_gates.cpp chooses): a row's
// selection is k passes over its logits, each taking the best one ordered after the previous pick
// in the order (logit descending, id ascending). Softmax is monotone, so ordering by logit is
// ordering by probability, without storing n probabilities per invocation. The softmax
// denominator cancels in the renormalisation: gate_j = exp(l_j - l_0) / sum over kept of the same.
// Non-finite logits as in the oracle: NaN logits are never picked, a row with fewer than k
// logits that are not NaN gets id 0xffffffff and gate 0 in the slots left over, and a logit equal
// to the row's top has p = 1 (so +inf logits share the gates instead of making them NaN).
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

void main() {
    const uint row = linearWorkgroup() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (row >= p.rows)
        return;
    const uint base = row * p.experts;
    float prevL = 0.0, top = 0.0, kept = 0.0;
    uint prevId = NONE;
    for (uint j = 0; j < p.k; ++j) {
        uint best = NONE;
        float bestL = 0.0;
        for (uint e = 0; e < p.experts; ++e) {
            const float l = logits[base + e];
            if (betterPick(l, e, prevL, prevId, j == 0, best, bestL)) {
                best = e;
                bestL = l;
            }
        }
        if (best == NONE) { // nothing left to pick: the later slots stay empty too (no rescans)
            leaveEmpty(row, j);
            break;
        }
        outWords[row * p.k + j] = best;
        if (j == 0)
            top = bestL;
        kept += pOf(bestL, top);
        prevL = bestL;
        prevId = best;
    }
    writeGates(row, top, kept);
}
