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
    uint xRows;       // rows in X: gathered row ids at or past it read as zeros (and flag the call)
    uint hasRows;     // 1: row i of Y reads X[rows[i]]; 0: X[i]
    uint yRows;       // GateScatterAdd: rows of Y (scatter rows at or past it are dropped, and flag the call)
    uint checkSlot;   // this call's word in the check buffer (common/checks.glsl)
    uint seenWord;    // GateScatterAdd: where its bitmap of Y rows starts in the check buffer
    uint block;       // ssmm_samoyeds.comp: V, the columns of a row-selection block (0 in ssmm24.comp)
};

struct CsrSpmmPush {
    uint rows, features, cols, nnz;
    uint checkSlot;   // this call's word in the check buffer (common/checks.glsl)
    uint pad;
};

struct TopKGatesPush {
    uint rows, experts, k;
    uint pad;
};

#endif
