#pragma once
// What a kernel call's buffers must hold beyond their sizes (callShapeValid checks those):
// gathered row ids inside X, scatter rows inside Y and distinct, 2:4 metadata with increasing
// positions, Samoyeds row indices inside their group and ascending, CSR row pointers running from 0 to nnz and columns inside X. One check and one
// wording for every backend: the CPU device runs it before each call; the GPU kernels flag a call
// whose contents break it, and their device then runs it on the call's buffers, downloaded, to
// say what is wrong.
#include "backends/backend.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seaside::backends {

/// What a GPU kernel found wrong, as bits of its call's word in the run's check buffer (mirrored
/// in shaders/common/checks.glsl; the CUDA checks in backends/cuda/contents.cu use them as is).
enum ContentsCheck : std::uint32_t {
    kCheckRowIds = 1,        // a gathered row id at or past X's rows
    kCheckScatterRange = 2,  // a scatter row at or past Y's rows
    kCheckScatterRepeat = 4, // a scatter row twice in one call
    kCheckMetadata = 8,      // 2:4 positions not increasing
    kCheckRowPointers = 16,  // CSR row pointers not from 0 to nnz, or decreasing
    kCheckColumns = 32,      // a CSR column outside X's rows
    kCheckRowIndices = 64,   // Samoyeds row indices outside their group or not ascending
};

/// The host bytes of one of the call's buffers (at least `bytes` of them): the CPU device's own
/// memory, or a GPU buffer downloaded.
using ContentsReader = std::function<Expected<const void *>(const Buffer &buffer, std::size_t bytes)>;

/// Rows of X the call's X buffer holds (what gathered row ids must stay below): rows of k floats,
/// of one float at k = 0.
std::int64_t gatherableRows(const KernelCall &call);

/// The first thing wrong with the contents of `call`, whose shape is valid; ok when nothing is.
/// A call with no results (m or n zero) reads nothing and checks nothing. Order: row ids, scatter
/// rows, Samoyeds row indices, then (`withMetadata`) the 2:4 metadata; for CsrSpmm, the matrix.
Status checkCallContents(const KernelCall &call, const ContentsReader &read, bool withMetadata = true);

/// checkCallContents on buffers of any device, downloaded as needed: how a GPU device says what
/// its kernels flagged.
Status checkDownloadedContents(const KernelCall &call);

/// Whether a GPU kernel checks the call's contents as it reads them (Ssmm24, CsrSpmm).
bool checkedOnDevice(const KernelCall &call);

/// The layout of a GPU run's check buffer: word i for call i, then, for each gate scatter-add
/// with results, a bitmap of Y's rows (yRows bits) from word seenWord[i]. `any`: some call is
/// checked (a run without one needs no buffer).
struct DeviceChecks {
    bool any = false;
    std::uint64_t words = 0;
    std::vector<std::uint64_t> seenWord;
};
DeviceChecks deviceChecksFor(const std::vector<KernelCall> &calls);

/// The error for the first call whose word in `flags` (one per call, kCheck* bits) is set, in the
/// CPU device's words where the host check still sees the fault; ok when no word is set.
Status reportFlaggedCall(const std::string &device, const std::vector<KernelCall> &calls,
                         const std::vector<std::uint32_t> &flags);

} // namespace seaside::backends
