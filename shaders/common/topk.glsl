#ifndef SEASIDE_TOPK_GLSL
#define SEASIDE_TOPK_GLSL
// What the two router shaders share (topk_gates.comp, topk_gates_wide.comp): their buffers, the
// order they pick in, and how a row's picks become gates. The oracle is engine/kernels/router.cpp.
// Needs common/push_constants.glsl and common/util.glsl.

layout(std430, binding = 0) readonly buffer LBuf { float logits[]; };
layout(std430, binding = 1) buffer OutBuf { uint outWords[]; };   // ids [rows, k], then gates (bits)
layout(push_constant) uniform Push { TopKGatesPush p; };

const uint NONE = 0xffffffffu;

// Whether logit l of expert e beats the scan's best so far (NONE: none yet) as the next pick: it
// is not NaN, comes after the previous pick (prevL, prevId) in the order (logit descending, id
// ascending; anything does on the first pass), and is larger than the best. Scans ascend in e,
// so among equal logits the first seen, the lower id, stays.
bool betterPick(float l, uint e, float prevL, uint prevId, bool first, uint best, float bestL) {
    return !nanBits(l) && (first || l < prevL || (l == prevL && e > prevId)) && (best == NONE || l > bestL);
}

// exp(l - top), but 1 where l is the top itself (inf - inf would be NaN) and 0 for a logit of
// -inf or below a top of +inf, with no infinite arithmetic for a driver to assume away: that
// includes l - top overflowing to -inf (finite logits near -+FLT_MAX), and anything below
// -104, where exp is under the smallest float anyway
float pOf(float l, float top) {
    if (l == top)
        return 1.0;
    const float d = l - top;
    return plusInfBits(top) || minusInfBits(l) || !(d >= -104.0) ? 0.0 : exp(d);
}

// Row `row`'s slots from j on get no expert: nothing was left to pick.
void leaveEmpty(uint row, uint j) {
    for (uint rest = j; rest < p.k; ++rest)
        outWords[row * p.k + rest] = NONE;
}

// Row `row`'s gates from its written ids: each kept expert's p over the kept sum, 0 where empty.
void writeGates(uint row, float top, float kept) {
    for (uint j = 0; j < p.k; ++j) {
        const uint id = outWords[row * p.k + j];
        const float g = id == NONE ? 0.0 : pOf(logits[row * p.experts + id], top) / kept;
        outWords[p.rows * p.k + row * p.k + j] = floatBitsToUint(g);
    }
}

#endif
