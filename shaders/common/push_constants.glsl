// Push-constant structs of every kernel, mirrored in engine/backends/vulkan/ops/ops.h (same
// members, same order, a static_assert on the size there). All members are 32-bit.
#ifndef SEASIDE_PUSH_CONSTANTS_GLSL
#define SEASIDE_PUSH_CONSTANTS_GLSL

struct GemmPush {
    uint m, n, k;
    uint pad;
};

struct Ssmm24Push {
    uint m, n, k;
    uint metaWords;   // (k/4 + 7) / 8
    uint xRows;       // rows in X: gathered row ids at or past it read as zeros
    uint hasRows;     // 1: row i of Y reads X[rows[i]]; 0: X[i]
    uint yRows;       // GateScatterAdd: rows of Y (scatter rows at or past it are dropped)
    uint pad;
};

struct CsrSpmmPush {
    uint rows, features, cols, nnz;
};

struct TopKGatesPush {
    uint rows, experts, k;
    uint pad;
};

#endif
