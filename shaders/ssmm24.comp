#version 450
// acc[i,n] = X[row(i),:] . W[n,:] with W 2:4-sparse along k (engine/kernels/nm_sparse.h), then
// the epilogue: Y[i,n] (+)= acc, Y[i,n] = silu(E[i,n]) * acc, or Y[F[i],n] += E[i] * acc.
// Paired with engine/backends/cuda/ssmm24.cu.
#extension GL_GOOGLE_include_directive : enable
#include "common/push_constants.glsl"
#include "common/checks.glsl"

// Metadata decoding: W row n keeps 2 of every 4 weights. Group g (k = 4g..4g+3) has its two
// values at V[n*k/2 + 2g], V[n*k/2 + 2g + 1] and its two positions in 4 bits of the metadata word
// M[n*metaWords + g/8], shifted by (g%8)*4: p0 = bits 0-1, p1 = bits 2-3, so
//   Y[i,n] = sum_g V[2g]*X[row(i), 4g+p0] + V[2g+1]*X[row(i), 4g+p1],  row(i) = rows[i] or i.
// One metadata word covers 8 groups = 32 k, so K is walked in slabs of 32: each slab stages
// X[32 rows][32 k], V[32 n][16] and M[32 n] in shared memory. Groups past k/4 in the last word
// read zero values and zero X, whatever their metadata bits say.
#define TI 32
#define TN 32
#define SLAB 32
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
// The epilogue (backends::Epilogue): the fusions of Samoyeds' MoE block, so that the expert's
// intermediate and output never make an extra trip through memory.
#define EPI_STORE 0
#define EPI_SILU_MUL 1
#define EPI_GATE_SCATTER_ADD 2
layout(constant_id = 0) const uint EPILOGUE = EPI_STORE;
layout(constant_id = 1) const uint ACCUMULATE = 0;   // Store only: Y += acc

layout(std430, binding = 0) readonly buffer XBuf { float X[]; };
layout(std430, binding = 1) readonly buffer VBuf { float V[]; };
layout(std430, binding = 2) readonly buffer MBuf { uint Meta[]; };
layout(std430, binding = 3) readonly buffer RBuf { uint Rows[]; };  // X itself when no row ids
// Read too: accumulate and scatter-add read-modify-write. With SiluMul, E may be Y itself: each
// element is read, then written, by the one invocation that owns it.
layout(std430, binding = 4) buffer YBuf { float Y[]; };
layout(std430, binding = 5) readonly buffer EBuf { float E[]; };   // SiLU inputs [m, n] or gates [m]; X when Store
layout(std430, binding = 6) readonly buffer FBuf { uint F[]; };    // scatter rows [m]; X unless GateScatterAdd
layout(std430, binding = 7) buffer CheckBuf { uint Checks[]; };    // common/checks.glsl
layout(push_constant) uniform Push { Ssmm24Push p; };

shared float Xs[TI][SLAB + 1];
shared float Vs[TN][SLAB / 2 + 1];
shared uint Ms[TN];
shared uint srcRow[TI];   // row of X for each row of the tile; 0xffffffff: zeros

void computeTile(const uint i0, const uint n0) {
    const uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    const uint tid = ty * 16 + tx;
    const uint half_k = p.k / 2;
    if (tid < TI) {
        const uint i = i0 + tid;
        uint r = 0xffffffffu;
        if (i < p.m) {
            r = p.hasRows != 0 ? Rows[i] : i;
            // (without row ids, X holds the m rows by its size; only at k = 0, where nothing is
            // read, can row i lie past it)
            if (r >= p.xRows) {
                if (p.hasRows != 0)
                    atomicOr(Checks[p.checkSlot], CHECK_ROW_IDS);
                r = 0xffffffffu;
            }
        }
        srcRow[tid] = r;
    }
    float acc[2][2] = float[2][2](float[2](0.0, 0.0), float[2](0.0, 0.0));
    barrier();

    for (uint k0 = 0; k0 < p.k; k0 += SLAB) {
        for (uint e = tid; e < TI * SLAB; e += 256) {
            const uint r = e / SLAB, kk = e % SLAB;
            const uint src = srcRow[r];
            Xs[r][kk] = (src != 0xffffffffu && k0 + kk < p.k) ? X[src * p.k + k0 + kk] : 0.0;
        }
        for (uint e = tid; e < TN * (SLAB / 2); e += 256) {
            const uint nn = e / (SLAB / 2), v = e % (SLAB / 2);
            const uint gv = k0 / 2 + v;
            Vs[nn][v] = (n0 + nn < p.n && gv < half_k) ? V[(n0 + nn) * half_k + gv] : 0.0;
        }
        if (tid < TN) {
            const uint word = n0 + tid < p.n ? Meta[(n0 + tid) * p.metaWords + k0 / SLAB] : 0u;
            Ms[tid] = word;
            // the first row tile checks the groups of the word that lie inside k
            if (i0 == 0 && n0 + tid < p.n)
                for (uint g = 0; g < min(8u, p.k / 4 - k0 / 4); ++g)
                    if (!validPositions(word >> (4 * g)))
                        atomicOr(Checks[p.checkSlot], CHECK_METADATA);
        }
        barrier();
        for (int j = 0; j < 2; ++j) {
            const uint nn = tx + 16 * j;
            const uint word = Ms[nn];
            for (uint g = 0; g < 8; ++g) {
                const uint bits = word >> (g * 4);
                const uint p0 = bits & 3u, p1 = (bits >> 2) & 3u;
                const float v0 = Vs[nn][2 * g], v1 = Vs[nn][2 * g + 1];
                for (int i = 0; i < 2; ++i) {
                    const uint r = ty + 16 * i;
                    acc[i][j] = fma(v0, Xs[r][4 * g + p0], acc[i][j]);
                    acc[i][j] = fma(v1, Xs[r][4 * g + p1], acc[i][j]);
                }
            }
        }
        barrier();
    }
    for (int i = 0; i < 2; ++i) {
        const uint gi = i0 + ty + 16 * i;
        if (gi >= p.m)
            continue;
        if (EPILOGUE == EPI_GATE_SCATTER_ADD) {
            // The F[i] must be distinct within a call, so no other invocation touches this row of
            // Y: a plain read-add-write, no atomics. The first column tile checks each row once:
            // inside Y, and not seen before in this call (a bit per row of Y). Rows past Y are dropped.
            const uint dst = F[gi];
            if (gl_WorkGroupID.x == 0 && tx == 0) {
                if (dst >= p.yRows) {
                    atomicOr(Checks[p.checkSlot], CHECK_SCATTER_RANGE);
                } else {
                    const uint bit = 1u << (dst % 32u);
                    if ((atomicOr(Checks[p.seenWord + dst / 32u], bit) & bit) != 0u)
                        atomicOr(Checks[p.checkSlot], CHECK_SCATTER_REPEAT);
                }
            }
            if (dst >= p.yRows)
                continue;
            const float gate = E[gi];
            for (int j = 0; j < 2; ++j) {
                const uint gn = n0 + tx + 16 * j;
                if (gn < p.n)
                    Y[dst * p.n + gn] += gate * acc[i][j];
            }
            continue;
        }
        for (int j = 0; j < 2; ++j) {
            const uint gn = n0 + tx + 16 * j;
            if (gn >= p.n)
                continue;
            const uint o = gi * p.n + gn;
            if (EPILOGUE == EPI_SILU_MUL) {
                const float g = E[o];
                // g * sigmoid(g) from e = exp(-|g|) <= 1: exp(-g) would overflow to inf below
                // g = -88, arithmetic a driver may assume never happens
                const float e = exp(-abs(g));
                Y[o] = g * (g >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) * acc[i][j];
            } else {
                Y[o] = ACCUMULATE != 0 ? Y[o] + acc[i][j] : acc[i][j];
            }
        }
    }
}

void main() {
    // Row tiles past the grid's y extent (65535 workgroups, Vulkan's minimum limit; engine/backends/
    // vulkan/ops/ssmm24.cpp caps it there) in turn. srcRow is rewritten only after the previous
    // tile's last read of it, which the k loop's closing barrier orders.
    for (uint t = gl_WorkGroupID.y; t < (p.m + TI - 1) / TI; t += gl_NumWorkGroups.y)
        computeTile(t * TI, gl_WorkGroupID.x * TN);
}
