#version 450
// Y[m,n] (+)= X[m,k] . W[n,k]^T, fp32, shared-memory tiled. Paired with engine/backends/cuda/gemm.cu.
#extension GL_GOOGLE_include_directive : enable
#include "common/push_constants.glsl"

// Tiling: a 16x16 workgroup computes a 64x64 tile of Y; thread (tx, ty) owns the 4x4 register
// block at rows ty + 16*i, columns tx + 16*j (strided, so the Y stores and the shared reads of W
// are consecutive across tx). K is walked in slabs of 16: each slab stages X[64 rows][16] and
// W[64 rows][16] into shared memory transposed (k-major, +1 padding against bank conflicts); every
// load is bounds-checked and zero-filled, so M, N and K need not be multiples of any tile.
#define BM 64
#define BN 64
#define BK 16
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
layout(constant_id = 0) const uint ACCUMULATE = 0;   // 1: Y += X.W^T

layout(std430, binding = 0) readonly buffer XBuf { float X[]; };
layout(std430, binding = 1) readonly buffer WBuf { float W[]; };
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
        // 64x16 elements per operand, 256 threads: 4 each; k fastest for coalesced global reads.
        for (uint e = tid; e < BM * BK; e += 256) {
            const uint r = e / BK, kk = e % BK;
            const uint gk = k0 + kk;
            const uint gm = m0 + r, gn = n0 + r;
            Xs[kk][r] = (gm < p.m && gk < p.k) ? X[gm * p.k + gk] : 0.0;
            Ws[kk][r] = (gn < p.n && gk < p.k) ? W[gn * p.k + gk] : 0.0;
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
    // Row tiles past the grid's y extent (65535 workgroups, Vulkan's minimum limit; engine/backends/
    // vulkan/ops/gemm.cpp caps it there) are taken in turn: a tile ends on a barrier, so Xs and Ws
    // are free again.
    for (uint t = gl_WorkGroupID.y; t < (p.m + BM - 1) / BM; t += gl_NumWorkGroups.y)
        computeTile(t * BM, gl_WorkGroupID.x * BN);
}
