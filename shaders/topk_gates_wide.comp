#version 450
// The MoE router's selection, as topk_gates.comp (same output, same rules for ties and
// non-finite logits), on GPUs (ops/topk_gates.cpp says why): one workgroup per row. Each of a
// pass's k picks is a scan of the row split over the 64 invocations (each keeps its best expert
// ordered after the previous pick), then a reduction in shared memory to the row's best, which
// every invocation reads as the next pass's bound.
#extension GL_GOOGLE_include_directive : enable
#include "common/push_constants.glsl"
#include "common/util.glsl"
#include "common/topk.glsl"

// The workgroup's width: its invocations split each scan, and the reduction halves it (a power
// of 2). The host dispatches a workgroup per row whatever the width (ops/topk_gates.cpp).
#define WG 64
layout(local_size_x = WG, local_size_y = 1, local_size_z = 1) in;

shared float bestLogit[WG];
shared uint bestId[WG];

// (la, ia) comes first in the order (logit descending, id ascending); NONE comes last
bool before(float la, uint ia, float lb, uint ib) {
    return ia != NONE && (ib == NONE || la > lb || (la == lb && ia < ib));
}

void main() {
    const uint row = linearWorkgroup(); // the same for the whole workgroup: its barriers stay uniform
    if (row >= p.rows)
        return;
    const uint t = gl_LocalInvocationID.x;
    const uint base = row * p.experts;
    float prevL = 0.0, top = 0.0, kept = 0.0;
    uint prevId = NONE;
    for (uint j = 0; j < p.k; ++j) {
        uint best = NONE;
        float bestL = 0.0;
        for (uint e = t; e < p.experts; e += WG) {
            const float l = logits[base + e];
            if (betterPick(l, e, prevL, prevId, j == 0, best, bestL)) {
                best = e;
                bestL = l;
            }
        }
        bestLogit[t] = bestL;
        bestId[t] = best;
        barrier();
        for (uint stride = WG / 2; stride > 0; stride >>= 1) {
            if (t < stride && before(bestLogit[t + stride], bestId[t + stride], bestLogit[t], bestId[t])) {
                bestLogit[t] = bestLogit[t + stride];
                bestId[t] = bestId[t + stride];
            }
            barrier();
        }
        const uint pick = bestId[0];
        const float pickL = bestLogit[0];
        barrier(); // every invocation has read the pick before the next pass overwrites slot 0
        if (pick == NONE) { // nothing left to pick: the later slots stay empty too (uniform: all read it)
            if (t == 0)
                leaveEmpty(row, j);
            break;
        }
        if (t == 0)
            outWords[row * p.k + j] = pick;
        if (j == 0)
            top = pickL;
        kept += pOf(pickL, top);
        prevL = pickL;
        prevId = pick;
    }
    if (t == 0)
        writeGates(row, top, kept);
}
