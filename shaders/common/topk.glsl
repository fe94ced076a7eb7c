#ifndef SEASIDE_TOPK_GLSL
#define SEASIDE_TOPK_GLSL
// What the two router shaders share (topk_gates.comp, topk_gates_wide.comp). The oracle is
// engine/kernels/router.cpp. Needs common/util.glsl.

const uint NONE = 0xffffffffu;

// Whether logit l of expert e comes after the previous pick (prevL, prevId) in the order
// (logit descending, id ascending); anything does on the first pass.
bool ordersAfter(float l, uint e, float prevL, uint prevId, bool first) {
    return first || l < prevL || (l == prevL && e > prevId);
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

#endif
