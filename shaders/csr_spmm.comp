#version 450
// Y[r,f] = aggregate over row r's entries e of vals[e] * X[col[e], f]  (A in CSR, X dense
// [cols, features]); the aggregate is a sum, a mean (the sum over the row's entry count) or a max.
// Paired with engine/backends/cuda/csr_spmm.cu.
#extension GL_GOOGLE_include_directive : enable
#include "common/push_constants.glsl"
#include "common/util.glsl"
#include "common/checks.glsl"

// One workgroup per row, threads across features (coalesced reads of X rows and writes of Y).
// The row's entries are staged CHUNK at a time in shared memory, so each (col, value) pair is read
// from global memory once per feature block rather than once per thread. Entries whose column is
// out of range, or that lie past nnz, are skipped (and the call flagged). An empty row writes zeros, whatever the aggregate.
layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
#define AGG_SUM 0
#define AGG_MEAN 1
#define AGG_MAX 2
layout(constant_id = 1) const uint AGGREGATION = AGG_SUM;   // backends::Aggregation
#define CHUNK 256

layout(std430, binding = 0) readonly buffer PtrBuf { int rowPtr[]; };
layout(std430, binding = 1) readonly buffer ColBuf { int colIdx[]; };
layout(std430, binding = 2) readonly buffer ValBuf { float vals[]; };
layout(std430, binding = 3) readonly buffer XBuf { float X[]; };
layout(std430, binding = 4) writeonly buffer YBuf { float Y[]; };
layout(std430, binding = 5) buffer CheckBuf { uint Checks[]; };   // common/checks.glsl
layout(push_constant) uniform Push { CsrSpmmPush p; };

shared int sCol[CHUNK];
shared float sVal[CHUNK];

// Entry e of the staged chunk into feature f's aggregate.
void take(int e, uint f, inout float acc, inout bool seen) {
    const int col = sCol[e];
    if (col < 0 || uint(col) >= p.cols)
        return;
    const float x = X[uint(col) * p.features + f];
    const float product = sVal[e] * x;
    if (AGGREGATION != AGG_MAX) {
        acc = fma(sVal[e], x, acc);
    } else if (!nanBits(product)) {
        acc = seen ? max(acc, product) : product;
        seen = true;
    }
}

void main() {
    const uint row = linearWorkgroup();
    if (row >= p.rows)
        return;   // uniform across the workgroup
    const uint tid = gl_LocalInvocationID.x, threads = gl_WorkGroupSize.x;
    // Each row checks its own pointers (the first starts at 0, the last ends at nnz, none
    // decreases) and, in the first feature block, its entries' columns: valid pointers give every
    // entry to one row, so every column is checked once.
    const int first = rowPtr[row], last = rowPtr[row + 1];
    if (tid == 0 && ((row == 0 && first != 0) || (row + 1 == p.rows && last != int(p.nnz)) || last < first))
        atomicOr(Checks[p.checkSlot], CHECK_ROW_POINTERS);
    const int begin = clamp(first, 0, int(p.nnz));
    const int end = clamp(last, begin, int(p.nnz));

    for (uint f0 = 0; f0 < p.features; f0 += threads) {
        const uint f = f0 + tid;
        // max starts from the first product that is not NaN (the CPU and CUDA ignore NaN products),
        // not from -inf: a driver may assume no infinities or NaN in arithmetic
        float acc = 0.0;
        bool seen = false;
        for (int c0 = begin; c0 < end; c0 += CHUNK) {
            const int count = min(CHUNK, end - c0);
            for (int e = int(tid); e < count; e += int(threads)) {
                sCol[e] = colIdx[c0 + e];
                sVal[e] = vals[c0 + e];
                if (f0 == 0 && (sCol[e] < 0 || uint(sCol[e]) >= p.cols))
                    atomicOr(Checks[p.checkSlot], CHECK_COLUMNS);
            }
            barrier();
            // Four entries an iteration: Mesa's llvmpipe ends an invocation's loops after 65535
            // iterations, so this runs rows four times as long there (ops/csr_spmm.cpp).
            if (f < p.features) {
                int e = 0;
                for (; e + 4 <= count; e += 4)
                    for (int u = 0; u < 4; ++u)
                        take(e + u, f, acc, seen);
                for (; e < count; ++e)
                    take(e, f, acc, seen);
            }
            barrier();
        }
        if (f < p.features) {
            if (end == begin)
                acc = 0.0;
            else if (AGGREGATION == AGG_MAX && !seen)
                acc = uintBitsToFloat(0xff800000u);   // no product to take (all NaN or skipped): -inf, as the CPU and CUDA give
            else if (AGGREGATION == AGG_MEAN)
                acc /= float(end - begin);
            Y[row * p.features + f] = acc;
        }
    }
}
