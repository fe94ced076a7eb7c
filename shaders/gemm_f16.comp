#version 450
// Y[m,n] (+)= X[m,k] . W[n,k]^T with X and W in fp16, Y and the accumulation fp32.
// The tiling of gemm.comp (a 16x16 workgroup, a 64x64 tile of Y, 4x4 per thread, K in slabs of 16).
#extension GL_GOOGLE_include_directive : enable
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "common/push_constants.glsl"

// The halves are widened to fp32 as they are staged: a product of two halves is exact in fp32
// (11 + 11 significant bits), so the only rounding is the fp32 accumulation, as in the reference.
// Global reads are 16-bit, half the bytes of gemm.comp's, which is where fp16 GEMM gains on a GPU
// without tensor cores reachable from Vulkan.
#define BM 64
#define BN 64
#define BK 16
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
layout(constant_id = 0) const uint ACCUMULATE = 0;   // 1: Y += X.W^T

layout(std430, binding = 0) readonly buffer XBuf { float16_t X[]; };
layout(std430, binding = 1) readonly buffer WBuf { float16_t W[]; };
layout(std430, binding = 2) buffer YBuf { float Y[]; };
layout(push_constant) uniform Push { GemmPush p; };

shared float Xs[BK][BM + 1];
shared float Ws[BK][BN + 1];

void computeTile(const uint m0, const uint n0) {
    const uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    const uint tid = ty * 16 + tx;
    float acc[4][4];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            acc[i][j] = 0.0;

    for (uint k0 = 0; k0 < p.k; k0 += BK) {
        for (uint e = tid; e < BM * BK; e += 256) {
            const uint r = e / BK, kk = e % BK;
            const uint gk = k0 + kk;
            const uint gm = m0 + r, gn = n0 + r;
            Xs[kk][r] = (gm < p.m && gk < p.k) ? float(X[gm * p.k + gk]) : 0.0;
            Ws[kk][r] = (gn < p.n && gk < p.k) ? float(W[gn * p.k + gk]) : 0.0;
        }
        barrier();
        for (uint kk = 0; kk < BK; ++kk) {
            float a[4], b[4];
            for (int i = 0; i < 4; ++i)
                a[i] = Xs[kk][ty + 16 * i];
            for (int j = 0; j < 4; ++j)
                b[j] = Ws[kk][tx + 16 * j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j)
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier();
    }
    for (int i = 0; i < 4; ++i) {
        const uint gm = m0 + ty + 16 * i;
        if (gm >= p.m)
            continue;
        for (int j = 0; j < 4; ++j) {
            const uint gn = n0 + tx + 16 * j;
            if (gn < p.n) {
                const uint o = gm * p.n + gn;
                Y[o] = ACCUMULATE != 0 ? Y[o] + acc[i][j] : acc[i][j];
            }
        }
    }
}

void main() {
    // row tiles past the grid's y extent (65535 workgroups) in turn, as in gemm.comp
    for (uint t = gl_WorkGroupID.y; t < (p.m + BM - 1) / BM; t += gl_NumWorkGroups.y)
        computeTile(t * BM, gl_WorkGroupID.x * BN);
}
