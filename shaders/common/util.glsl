#ifndef SEASIDE_UTIL_GLSL
#define SEASIDE_UTIL_GLSL
// Shared helpers for the compute shaders.

// The linear workgroup index over a 2-D grid (x fastest): rows past 65535 workgroups spill into y.
uint linearWorkgroup() {
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

// NaN and infinity read from the bits: without the SignedZeroInfNanPreserve execution mode a
// Vulkan driver may assume floats are never NaN or infinite and fold isnan() / isinf() away
// (lavapipe keeps them; a GPU compiler need not).
bool nanBits(float v) {
    return (floatBitsToUint(v) & 0x7fffffffu) > 0x7f800000u;
}
bool plusInfBits(float v) {
    return floatBitsToUint(v) == 0x7f800000u;
}
bool minusInfBits(float v) {
    return floatBitsToUint(v) == 0xff800000u;
}

#endif
