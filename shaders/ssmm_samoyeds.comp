#version 450
// Ssmm24 with Samoyeds' row selection (engine/backends/backend.h, kernels/samoyeds.h): W [n, k] is
// held as its compact matrix (n/M*N rows, 2:4 along k) and row indices Idx [k/V][n/M*N]; compact
// row j stands, over the block of V columns v, for row (j/N)*M + Idx[v][j] of W. Then the
// epilogue, as in ssmm24.comp: Y[i,n] (+)= acc, Y[i,n] = silu(E[i,n]) * acc, Y[F[i],n] += E[i] * acc.
//
// Only the compact rows are multiplied (half the work of plain 2:4 at 1:2): each invocation sums
// its compact rows over a block of V columns, then adds each sum into the one of its group's M
// rows that the block keeps (a select per row, not a scatter); a row a block drops gets nothing.
// A workgroup covers 32 tokens x 32 groups (32*M rows of Y); invocation (tx, ty) owns groups tx and
// tx+16 and tokens ty and ty+16. K is walked in slabs of 32 (a metadata word), which V divides.
#extension GL_GOOGLE_include_directive : enable
#include "common/push_constants.glsl"
#include "common/checks.glsl"

#define TI 32
#define TG 32
#define SLAB 32
#define MAX_KEEP 4    // N (ops/ssmm24.cpp refuses more)
#define MAX_GROUP 8   // M
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;
#define EPI_STORE 0
#define EPI_SILU_MUL 1
#define EPI_GATE_SCATTER_ADD 2
layout(constant_id = 0) const uint EPILOGUE = EPI_STORE;
layout(constant_id = 1) const uint ACCUMULATE = 0;   // Store only: Y += acc
layout(constant_id = 2) const uint KEEP = 1;         // N rows kept in every group
layout(constant_id = 3) const uint GROUP = 2;        // of M

layout(std430, binding = 0) readonly buffer XBuf { float X[]; };
layout(std430, binding = 1) readonly buffer VBuf { float V[]; };   // compact values [n/M*N, k/2]
layout(std430, binding = 2) readonly buffer MBuf { uint Meta[]; }; // compact metadata [n/M*N, k/32]
layout(std430, binding = 3) readonly buffer RBuf { uint Rows[]; };  // X itself when no row ids
layout(std430, binding = 4) buffer YBuf { float Y[]; };
layout(std430, binding = 5) readonly buffer EBuf { float E[]; };   // SiLU inputs [m, n] or gates [m]; X when Store
layout(std430, binding = 6) readonly buffer FBuf { uint F[]; };    // scatter rows [m]; X unless GateScatterAdd
layout(std430, binding = 7) buffer CheckBuf { uint Checks[]; };    // common/checks.glsl
layout(std430, binding = 8) readonly buffer IBuf { uint Idx[]; };  // row indices [k/V][n/M*N]
layout(push_constant) uniform Push { Ssmm24Push p; };

shared float Xs[TI][SLAB + 1];
shared float Vs[TG * MAX_KEEP][SLAB / 2 + 1];
shared uint Ms[TG * MAX_KEEP];
shared uint srcRow[TI];   // row of X for each row of the tile; 0xffffffff: zeros

void computeTile(const uint i0, const uint g0) {
    const uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    const uint tid = ty * 16 + tx;
    const uint halfK = p.k / 2;
    const uint groups = p.n / GROUP, kept = groups * KEEP;
    if (tid < TI) {
        const uint i = i0 + tid;
        uint r = 0xffffffffu;
        if (i < p.m) {
            r = p.hasRows != 0 ? Rows[i] : i;
            if (r >= p.xRows) {
                if (p.hasRows != 0)
                    atomicOr(Checks[p.checkSlot], CHECK_ROW_IDS);
                r = 0xffffffffu;
            }
        }
        srcRow[tid] = r;
    }
    // sums over the current block of V columns, per token, group and kept row; and per row of Y
    float part[2][2][MAX_KEEP];
    float acc[2][2][MAX_GROUP];
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) {
            for (uint q = 0; q < KEEP; ++q)
                part[i][j][q] = 0.0;
            for (uint q = 0; q < GROUP; ++q)
                acc[i][j][q] = 0.0;
        }
    barrier();

    for (uint k0 = 0; k0 < p.k; k0 += SLAB) {
        for (uint e = tid; e < TI * SLAB; e += 256) {
            const uint r = e / SLAB, kk = e % SLAB;
            const uint src = srcRow[r];
            Xs[r][kk] = src != 0xffffffffu ? X[src * p.k + k0 + kk] : 0.0;
        }
        for (uint e = tid; e < TG * KEEP * (SLAB / 2); e += 256) {
            const uint rr = e / (SLAB / 2), v = e % (SLAB / 2);
            const uint j = g0 * KEEP + rr;
            Vs[rr][v] = j < kept ? V[j * halfK + k0 / 2 + v] : 0.0;
        }
        for (uint rr = tid; rr < TG * KEEP; rr += 256) {
            const uint j = g0 * KEEP + rr;
            const uint word = j < kept ? Meta[j * p.metaWords + k0 / SLAB] : 0u;
            Ms[rr] = word;
            // the first row tile checks each word (k is a multiple of 32: all 8 groups lie inside)
            if (i0 == 0 && j < kept)
                for (uint g = 0; g < 8; ++g)
                    if (!validPositions(word >> (4 * g)))
                        atomicOr(Checks[p.checkSlot], CHECK_METADATA);
        }
        barrier();
        for (int jg = 0; jg < 2; ++jg)
            for (uint q = 0; q < KEEP; ++q) {
                const uint rr = (tx + 16 * jg) * KEEP + q;
                const uint word = Ms[rr];
                for (uint g = 0; g < 8; ++g) {
                    const uint bits = word >> (g * 4);
                    const uint p0 = bits & 3u, p1 = (bits >> 2) & 3u;
                    const float v0 = Vs[rr][2 * g], v1 = Vs[rr][2 * g + 1];
                    for (int i = 0; i < 2; ++i) {
                        const uint r = ty + 16 * i;
                        part[i][jg][q] = fma(v0, Xs[r][4 * g + p0], part[i][jg][q]);
                        part[i][jg][q] = fma(v1, Xs[r][4 * g + p1], part[i][jg][q]);
                    }
                }
            }
        barrier();
        if ((k0 + SLAB) % p.block == 0) {
            // the block ends: each kept row's sums go to the row of its group it stands for here
            const uint b = k0 / p.block;
            for (int jg = 0; jg < 2; ++jg) {
                const uint G = g0 + tx + 16 * jg;
                uint prev = 0;
                for (uint q = 0; q < KEEP; ++q) {
                    const uint row = G < groups ? Idx[b * kept + G * KEEP + q] : GROUP;
                    // the first row tile checks the indices: inside the group, ascending in it
                    if (i0 == 0 && ty == 0 && G < groups && (row >= GROUP || (q > 0 && row <= prev)))
                        atomicOr(Checks[p.checkSlot], CHECK_ROW_INDICES);
                    prev = row;
                    for (int i = 0; i < 2; ++i) {
                        for (uint o = 0; o < GROUP; ++o)
                            acc[i][jg][o] += o == row ? part[i][jg][q] : 0.0;
                        part[i][jg][q] = 0.0;
                    }
                }
            }
        }
    }
    for (int i = 0; i < 2; ++i) {
        const uint gi = i0 + ty + 16 * i;
        if (gi >= p.m)
            continue;
        if (EPILOGUE == EPI_GATE_SCATTER_ADD) {
            // F[i] distinct within a call: no other invocation touches this row of Y (ssmm24.comp)
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
            for (int jg = 0; jg < 2; ++jg)
                for (uint o = 0; o < GROUP; ++o) {
                    const uint gn = (g0 + tx + 16 * jg) * GROUP + o;
                    if (gn < p.n)
                        Y[dst * p.n + gn] += gate * acc[i][jg][o];
                }
            continue;
        }
        for (int jg = 0; jg < 2; ++jg)
            for (uint o = 0; o < GROUP; ++o) {
                const uint gn = (g0 + tx + 16 * jg) * GROUP + o;
                if (gn >= p.n)
                    continue;
                const uint at = gi * p.n + gn;
                if (EPILOGUE == EPI_SILU_MUL) {
                    const float g = E[at];
                    const float e = exp(-abs(g)); // g * sigmoid(g) without overflow (ssmm24.comp)
                    Y[at] = g * (g >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) * acc[i][jg][o];
                } else {
                    Y[at] = ACCUMULATE != 0 ? Y[at] + acc[i][jg][o] : acc[i][jg][o];
                }
            }
    }
}

void main() {
    // row tiles past the grid's y extent in turn, as ssmm24.comp does
    for (uint t = gl_WorkGroupID.y; t < (p.m + TI - 1) / TI; t += gl_NumWorkGroups.y)
        computeTile(t * TI, gl_WorkGroupID.x * TG);
}
