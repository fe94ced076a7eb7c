#ifndef SEASIDE_UTIL_GLSL
#define SEASIDE_UTIL_GLSL
// Shared helpers for the compute shaders.

// The linear workgroup index over a 2-D grid (x fastest): rows past 65535 workgroups spill into y.
uint linearWorkgroup() {
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

#endif
