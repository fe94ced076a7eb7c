#include "backends/call_contents.h"

#include "kernels/csr.h"
#include "kernels/nm_sparse.h"
#include "kernels/samoyeds.h"

#include <algorithm>
#include <list>
#include <vector>

namespace seaside::backends {

std::int64_t gatherableRows(const KernelCall &call) {
    return call.a ? std::int64_t(call.a->size() / (std::size_t(std::max<std::int64_t>(call.k, 1)) * sizeof(float))) : 0;
}

namespace {

template <typename T> Expected<const T *> contentsOf(const ContentsReader &read, const Buffer *b, std::int64_t count) {
    if (!b)
        return makeError("a buffer the call needs is missing");
    auto bytes = read(*b, std::size_t(count) * sizeof(T));
    if (!bytes)
        return bytes.error();
    return static_cast<const T *>(*bytes);
}

Status checkGatherRows(const std::uint32_t *rows, std::int64_t m, std::int64_t xRows) {
    for (std::int64_t i = 0; i < m; ++i)
        if (std::int64_t(rows[i]) >= xRows)
            return makeError("row id " + std::to_string(rows[i]) + " at " + std::to_string(i) + " is outside X's " +
                             std::to_string(xRows) + " rows");
    return {};
}

// Inside Y, and each row once: a token meets an expert once, and on a GPU two invocations adding
// into one row would race.
Status checkScatterRows(const std::uint32_t *rows, std::int64_t m, std::int64_t yRows) {
    for (std::int64_t i = 0; i < m; ++i)
        if (std::int64_t(rows[i]) >= yRows)
            return makeError("scatter row " + std::to_string(rows[i]) + " at " + std::to_string(i) + " is outside Y's " +
                             std::to_string(yRows) + " rows");
    // sorted (row, position) pairs: a repeat sits next to its first occurrence; the first repeat
    // in call order is the one named
    std::vector<std::pair<std::uint32_t, std::int64_t>> sorted(static_cast<std::size_t>(m));
    for (std::int64_t i = 0; i < m; ++i)
        sorted[std::size_t(i)] = {rows[i], i};
    std::sort(sorted.begin(), sorted.end());
    std::int64_t repeat = -1, first = -1;
    for (std::size_t j = 1; j < sorted.size(); ++j)
        if (sorted[j].first == sorted[j - 1].first && (repeat < 0 || sorted[j].second < repeat) &&
            (j < 2 || sorted[j - 2].first != sorted[j].first)) { // the second occurrence of its row
            repeat = sorted[j].second;
            first = sorted[j - 1].second;
        }
    if (repeat >= 0)
        return makeError("scatter row " + std::to_string(rows[repeat]) + " at " + std::to_string(repeat) +
                         " repeats the one at " + std::to_string(first) + " (a call adds into each row of Y once)");
    return {};
}

} // namespace

Status checkCallContents(const KernelCall &c, const ContentsReader &read, bool withMetadata) {
    if (c.m == 0 || c.n == 0)
        return {};
    switch (c.op) {
    case Op::Ssmm24: {
        if (c.d) {
            auto rows = contentsOf<std::uint32_t>(read, c.d, c.m);
            if (!rows)
                return rows.error();
            if (Status s = checkGatherRows(*rows, c.m, gatherableRows(c)); !s)
                return s;
        }
        if (c.epilogue == Epilogue::GateScatterAdd) {
            auto rows = contentsOf<std::uint32_t>(read, c.f, c.m);
            if (!rows)
                return rows.error();
            if (Status s = checkScatterRows(*rows, c.m, c.yRows); !s)
                return s;
        }
        const std::int64_t wRows = c.g ? c.selection.keptRows(c.n) : c.n;
        if (c.g) {
            auto indices = contentsOf<std::uint32_t>(read, c.g, c.k / c.selection.block * wRows);
            if (!indices)
                return indices.error();
            if (Status s = kernels::validateIndices(*indices, c.k / c.selection.block * wRows, c.selection.kept,
                                                    c.selection.group);
                !s)
                return s;
        }
        if (!withMetadata || c.k < 4)
            return {};
        const std::int64_t words = wRows * ((c.k / 4 + 7) / 8);
        auto meta = contentsOf<std::uint32_t>(read, c.c, words);
        if (!meta)
            return meta.error();
        return kernels::validateMetadata(kernels::Sparse24View(nullptr, *meta, wRows, c.k));
    }
    case Op::CsrSpmm: {
        auto rowPtr = contentsOf<std::int32_t>(read, c.a, c.m + 1);
        if (!rowPtr)
            return rowPtr.error();
        auto colIdx = contentsOf<std::int32_t>(read, c.b, c.nnz);
        if (!colIdx)
            return colIdx.error();
        return kernels::validatePattern(c.m, c.k, *rowPtr, *colIdx, c.nnz);
    }
    case Op::Gemm:
    case Op::GemmF16:
    case Op::TopKGates:
        return {};
    }
    return {};
}

Status checkDownloadedContents(const KernelCall &call) {
    std::list<std::vector<unsigned char>> copies; // alive until the check is done
    const ContentsReader download = [&copies](const Buffer &b, std::size_t bytes) -> Expected<const void *> {
        auto &copy = copies.emplace_back(std::max<std::size_t>(bytes, 1));
        if (Status s = b.download(copy.data(), bytes); !s)
            return makeError("reading the call's buffers back to check them: " + s.message());
        return static_cast<const void *>(copy.data());
    };
    return checkCallContents(call, download);
}

bool checkedOnDevice(const KernelCall &call) { return call.op == Op::Ssmm24 || call.op == Op::CsrSpmm; }

DeviceChecks deviceChecksFor(const std::vector<KernelCall> &calls) {
    DeviceChecks d;
    d.words = calls.size();
    d.seenWord.assign(calls.size(), 0);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const KernelCall &c = calls[i];
        d.any = d.any || checkedOnDevice(c);
        // (a call with no results checks nothing: no bitmap, whatever its yRows)
        if (c.op == Op::Ssmm24 && c.epilogue == Epilogue::GateScatterAdd && c.m > 0 && c.n > 0) {
            d.seenWord[i] = d.words;
            d.words += (std::uint64_t(c.yRows) + 31) / 32;
        }
    }
    return d;
}

Status reportFlaggedCall(const std::string &device, const std::vector<KernelCall> &calls,
                         const std::vector<std::uint32_t> &flags) {
    for (std::size_t i = 0; i < calls.size() && i < flags.size(); ++i) {
        if (!flags[i])
            continue;
        const Status why = checkDownloadedContents(calls[i]);
        // a later call of the run may have overwritten the inputs: then the kernel's bits say what
        const std::string what = why.ok() ? "its kernel found bad contents (check bits " + std::to_string(flags[i]) +
                                                ", backends/call_contents.h) that the host check no longer sees"
                                          : why.message();
        return makeError(device + ": call " + std::to_string(i) + " (" + opName(calls[i].op) +
                         (calls[i].label.empty() ? "" : " " + calls[i].label) + "): " + what +
                         " (the run's outputs are not to be used)");
    }
    return {};
}

} // namespace seaside::backends
