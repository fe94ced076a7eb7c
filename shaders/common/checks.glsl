#ifndef SEASIDE_CHECKS_GLSL
#define SEASIDE_CHECKS_GLSL
// Contents checks. A kernel that reads ids, scatter rows, 2:4 metadata or CSR pointers checks
// them as it reads and sets a bit in its call's word of the run's check buffer (bound as
// `Checks`, one word per call, zeroed before the run, and a bitmap of the Y rows each scatter
// call has written); the device reports the call then, and the host says what is wrong
// (engine/backends/call_contents.cpp). The bits mirror kCheck* in engine/backends/call_contents.h.
#define CHECK_ROW_IDS 1u          // a gathered row id at or past X's rows
#define CHECK_SCATTER_RANGE 2u    // a scatter row at or past Y's rows
#define CHECK_SCATTER_REPEAT 4u   // a scatter row twice in one call
#define CHECK_METADATA 8u         // 2:4 positions not increasing
#define CHECK_ROW_POINTERS 16u    // CSR row pointers not from 0 to nnz, or decreasing
#define CHECK_COLUMNS 32u         // a CSR column outside X's rows
#define CHECK_ROW_INDICES 64u     // Samoyeds row indices outside their group or not ascending

// Whether the nibble of a 2:4 group (first position in bits 0-1, second in bits 2-3) is one of
// the six increasing pairs: 4 (0,1), 8 (0,2), 9 (1,2), 12 (0,3), 13 (1,3), 14 (2,3).
bool validPositions(uint nibble) {
    return ((0x7310u >> (nibble & 15u)) & 1u) != 0u;
}

#endif
