#include "kernels/gnn.h"

#include "kernels/cpu_gemm.h"
#include "kernels/cpu_isa.h"

#include <algorithm>
#include <limits>
#include <metis.h>
#include <string>

namespace seaside::kernels {

Status validate(const Partitioning &p, std::int64_t rows) {
    const std::size_t parts = p.partStart.empty() ? 0 : p.partStart.size() - 1;
    if (p.partStart.empty() || p.partStart.front() != 0 || p.partStart.back() != rows)
        return makeError("partitioning: part starts must run from 0 to the " + std::to_string(rows) + " nodes");
    for (std::size_t q = 0; q < parts; ++q)
        if (p.partStart[q + 1] < p.partStart[q])
            return makeError("partitioning: part " + std::to_string(q) + " ends before it starts");
    if (p.order.size() != std::size_t(rows))
        return makeError("partitioning: orders " + std::to_string(p.order.size()) + " nodes of " + std::to_string(rows));
    std::vector<bool> seen(std::size_t(rows), false);
    for (std::size_t i = 0; i < p.order.size(); ++i) {
        const std::int32_t v = p.order[i];
        if (v < 0 || v >= rows || seen[std::size_t(v)])
            return makeError("partitioning: entry " + std::to_string(i) + " (node " + std::to_string(v) +
                             ") is outside the graph or repeats a node");
        seen[std::size_t(v)] = true;
    }
    return {};
}

Expected<Partitioning> partitionGraph(const Csr &a, std::int64_t targetRows) {
    if (Status s = validateSquare(a); !s)
        return makeError(s.message());
    Partitioning p;
    const std::int64_t n = a.rows;
    const std::int64_t perPart = std::max<std::int64_t>(1, targetRows); // rows per part, at least one
    const idx_t parts = idx_t(std::max<std::int64_t>(1, n / perPart + (n % perPart != 0)));
    std::vector<idx_t> part(std::size_t(n), 0);
    if (parts > 1) {
        // METIS wants a symmetric graph without self loops: A + A^T, diagonal dropped.
        std::vector<std::vector<idx_t>> adj(static_cast<std::size_t>(n));
        for (std::int64_t r = 0; r < n; ++r)
            for (std::int32_t e = a.rowPtr[std::size_t(r)]; e < a.rowPtr[std::size_t(r) + 1]; ++e) {
                const std::int32_t c = a.colIdx[std::size_t(e)];
                if (c == r)
                    continue;
                adj[std::size_t(r)].push_back(c);
                adj[std::size_t(c)].push_back(idx_t(r));
            }
        std::vector<idx_t> xadj(std::size_t(n) + 1, 0), adjncy;
        for (std::int64_t r = 0; r < n; ++r) {
            auto &l = adj[std::size_t(r)];
            std::sort(l.begin(), l.end());
            l.erase(std::unique(l.begin(), l.end()), l.end());
            adjncy.insert(adjncy.end(), l.begin(), l.end());
            if (adjncy.size() > std::size_t(std::numeric_limits<idx_t>::max()))
                return makeError("METIS: the symmetrised graph has more than " +
                                 std::to_string(std::numeric_limits<idx_t>::max()) + " edge ends, past METIS's index type");
            xadj[std::size_t(r) + 1] = idx_t(adjncy.size());
        }
        idx_t nv = idx_t(n), constraints = 1, cut = 0, np = parts;
        idx_t options[METIS_NOPTIONS];
        METIS_SetDefaultOptions(options);
        options[METIS_OPTION_SEED] = 1; // the same parts on every run
        const int rc = METIS_PartGraphKway(&nv, &constraints, xadj.data(), adjncy.data(), nullptr, nullptr, nullptr, &np,
                                           nullptr, nullptr, options, &cut, part.data());
        if (rc != METIS_OK)
            return makeError("METIS could not partition the graph (error " + std::to_string(rc) + ")");
    }
    p.partStart.assign(std::size_t(parts) + 1, 0);
    for (idx_t q : part)
        ++p.partStart[std::size_t(q) + 1];
    for (idx_t q = 0; q < parts; ++q)
        p.partStart[std::size_t(q) + 1] += p.partStart[std::size_t(q)];
    p.order.resize(std::size_t(n));
    std::vector<std::int64_t> fill(p.partStart.begin(), p.partStart.end() - 1);
    for (std::int64_t r = 0; r < n; ++r)
        p.order[std::size_t(fill[std::size_t(part[std::size_t(r)])]++)] = std::int32_t(r);
    return p;
}

Expected<Csr> renumber(const Csr &a, const Partitioning &p) {
    if (Status s = validateSquare(a); !s)
        return makeError(s.message());
    if (Status s = validate(p, a.rows); !s)
        return makeError(s.message());
    std::vector<std::int32_t> newId(std::size_t(a.rows));
    for (std::size_t i = 0; i < p.order.size(); ++i)
        newId[std::size_t(p.order[i])] = std::int32_t(i);
    Csr out;
    out.rows = a.rows;
    out.cols = a.cols;
    out.rowPtr.assign(std::size_t(a.rows) + 1, 0);
    out.colIdx.reserve(a.colIdx.size());
    out.values.reserve(a.values.size());
    std::vector<std::pair<std::int32_t, float>> row;
    for (std::int64_t i = 0; i < a.rows; ++i) {
        const std::int32_t old = p.order[std::size_t(i)];
        row.clear();
        for (std::int32_t e = a.rowPtr[std::size_t(old)]; e < a.rowPtr[std::size_t(old) + 1]; ++e)
            row.push_back({newId[std::size_t(a.colIdx[std::size_t(e)])], a.values[std::size_t(e)]});
        std::sort(row.begin(), row.end());
        for (const auto &[c, v] : row) {
            out.colIdx.push_back(c);
            out.values.push_back(v);
        }
        out.rowPtr[std::size_t(i) + 1] = std::int32_t(out.colIdx.size());
    }
    return out;
}

std::vector<float> permuteRows(const float *x, std::int64_t features, const std::vector<std::int32_t> &order) {
    std::vector<float> out(order.size() * std::size_t(features));
    for (std::size_t i = 0; i < order.size(); ++i)
        std::copy(x + std::int64_t(order[i]) * features, x + (std::int64_t(order[i]) + 1) * features, out.begin() + std::int64_t(i) * features);
    return out;
}

namespace {
// One row's aggregation, vectorised over the features. Gathered feature rows are fetched a few
// edges ahead: on a power-law graph they are scattered, and waiting for each one dominates.
__attribute__((always_inline)) inline void aggregateRow(const Csr &a, std::int64_t r, const float *x, std::int64_t f,
                                                        Aggregation how, float *out) {
    const std::int32_t begin = a.rowPtr[std::size_t(r)], end = a.rowPtr[std::size_t(r) + 1];
    if (how == Aggregation::Max) {
        std::fill(out, out + f, begin == end ? 0.0f : -std::numeric_limits<float>::infinity());
    } else {
        std::fill(out, out + f, 0.0f);
    }
    constexpr std::int32_t kAhead = 4;
    for (std::int32_t e = begin; e < end; ++e) {
        if (end - e > kAhead) { // not e + kAhead: that may pass INT32_MAX on the last entries
            const char *next = reinterpret_cast<const char *>(x + std::int64_t(a.colIdx[std::size_t(e + kAhead)]) * f);
            for (std::int64_t line = 0; line < f * std::int64_t(sizeof(float)); line += 64)
                __builtin_prefetch(next + line);
        }
        const float v = a.values[std::size_t(e)];
        const float *xr = x + std::int64_t(a.colIdx[std::size_t(e)]) * f;
        if (how == Aggregation::Max) {
#pragma omp simd
            for (std::int64_t j = 0; j < f; ++j)
                out[j] = std::max(out[j], v * xr[j]);
        } else {
#pragma omp simd
            for (std::int64_t j = 0; j < f; ++j)
                out[j] += v * xr[j];
        }
    }
    if (how == Aggregation::Mean && end > begin)
        for (std::int64_t j = 0; j < f; ++j)
            out[j] /= float(end - begin);
}

// Rows order[first..first+count) (rows first.. without an order) into out, one after another.
// The build targets baseline x86-64 (SSE2, no FMA); compiled a second time for x86-64-v3, the
// same loops run 8-wide FMAs. With that and the in-place GEMM below, the fused GCN layer of
// bench_kernels ran 13-16 % faster (paired runs on Zen 3). Chosen by cpu::isa() rather than by
// target_clones, so that SEASIDE_CPU_ISA=baseline can run the baseline copy on CI's AVX2 CPU.
__attribute__((always_inline)) inline void aggregateRowsBody(const Csr &a, const std::int32_t *order, std::int64_t first,
                                                             std::int64_t count, const float *x, std::int64_t f,
                                                             Aggregation how, float *out) {
    for (std::int64_t i = 0; i < count; ++i)
        aggregateRow(a, order ? order[first + i] : first + i, x, f, how, out + i * f);
}
__attribute__((target("arch=x86-64-v3"))) void aggregateRowsV3(const Csr &a, const std::int32_t *order, std::int64_t first,
                                                                std::int64_t count, const float *x, std::int64_t f,
                                                                Aggregation how, float *out) {
    aggregateRowsBody(a, order, first, count, x, f, how, out);
}
void aggregateRowsBaseline(const Csr &a, const std::int32_t *order, std::int64_t first, std::int64_t count, const float *x,
                           std::int64_t f, Aggregation how, float *out) {
    aggregateRowsBody(a, order, first, count, x, f, how, out);
}
void aggregateRows(const Csr &a, const std::int32_t *order, std::int64_t first, std::int64_t count, const float *x,
                   std::int64_t f, Aggregation how, float *out) {
    static const auto rows = cpu::isa() == cpu::Isa::X86_64_V3 ? aggregateRowsV3 : aggregateRowsBaseline;
    rows(a, order, first, count, x, f, how, out);
}
} // namespace

void ref::aggregate(const Csr &a, const float *x, std::int64_t f, Aggregation how, float *y) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
        const std::int32_t begin = a.rowPtr[std::size_t(r)], end = a.rowPtr[std::size_t(r) + 1];
        for (std::int64_t j = 0; j < f; ++j) {
            double acc = how == Aggregation::Max ? -std::numeric_limits<double>::infinity() : 0.0;
            for (std::int32_t e = begin; e < end; ++e) {
                const double v = double(a.values[std::size_t(e)]) * x[std::int64_t(a.colIdx[std::size_t(e)]) * f + j];
                acc = how == Aggregation::Max ? std::max(acc, v) : acc + v;
            }
            if (begin == end)
                acc = 0;
            else if (how == Aggregation::Mean)
                acc /= double(end - begin);
            y[r * f + j] = float(acc);
        }
    }
}

void ref::gcn(const Csr &ahat, const float *x, std::int64_t fIn, const float *w, std::int64_t fOut, float *y) {
    std::vector<float> h(std::size_t(ahat.rows * fIn));
    aggregate(ahat, x, fIn, Aggregation::Sum, h.data());
    for (std::int64_t r = 0; r < ahat.rows; ++r)
        for (std::int64_t o = 0; o < fOut; ++o) {
            double acc = 0;
            for (std::int64_t i = 0; i < fIn; ++i)
                acc += double(h[std::size_t(r * fIn + i)]) * w[o * fIn + i];
            y[r * fOut + o] = float(acc);
        }
}

void ref::sage(const Csr &a, const float *x, std::int64_t fIn, const float *wSelf, const float *wNeigh, std::int64_t fOut, float *y) {
    std::vector<float> m(std::size_t(a.rows * fIn));
    aggregate(a, x, fIn, Aggregation::Mean, m.data());
    for (std::int64_t r = 0; r < a.rows; ++r)
        for (std::int64_t o = 0; o < fOut; ++o) {
            double acc = 0;
            for (std::int64_t i = 0; i < fIn; ++i)
                acc += double(x[r * fIn + i]) * wSelf[o * fIn + i] + double(m[std::size_t(r * fIn + i)]) * wNeigh[o * fIn + i];
            y[r * fOut + o] = float(acc);
        }
}

void cpu::aggregate(const Csr &a, const float *x, std::int64_t f, Aggregation how, float *y) {
    constexpr std::int64_t kChunk = 256;
#pragma omp parallel for schedule(dynamic)
    for (std::int64_t r0 = 0; r0 < a.rows; r0 += kChunk)
        aggregateRows(a, nullptr, r0, std::min(kChunk, a.rows - r0), x, f, how, y + r0 * f);
}

void cpu::gcnUnfused(const Csr &ahat, const float *x, std::int64_t fIn, const float *w, std::int64_t fOut, float *y) {
    std::vector<float> h(std::size_t(ahat.rows * fIn));
    aggregate(ahat, x, fIn, Aggregation::Sum, h.data());
    gemm(h.data(), w, y, ahat.rows, fOut, fIn);
}

Status cpu::gcnFused(const Csr &ahat, const Partitioning &parts, const float *x, std::int64_t fIn, const float *w,
                     std::int64_t fOut, float *y) {
    // O(nodes) against the aggregation's O(entries x features): a part list from another graph
    // would otherwise leave rows of y unwritten, or write them twice
    if (Status s = validate(parts, ahat.rows); !s)
        return s;
    const std::int64_t count = std::int64_t(parts.partStart.size()) - 1;
    // Parts run side by side, one per core, each with a single-threaded GEMM on its rows: OpenBLAS
    // (the OpenMP build) runs on the calling thread alone inside a parallel region.
#pragma omp parallel
    {
        std::vector<float> h, out;
#pragma omp for schedule(dynamic)
        for (std::int64_t p = 0; p < count; ++p) {
            const std::int64_t begin = parts.partStart[std::size_t(p)], rows = parts.partStart[std::size_t(p) + 1] - begin;
            if (rows == 0)
                continue; // an empty part
            h.resize(std::size_t(rows * fIn));
            aggregateRows(ahat, parts.order.data(), begin, rows, x, fIn, Aggregation::Sum, h.data());
            // the part's rows are still in cache; a part of consecutive nodes (a renumbered graph)
            // is a block of y the GEMM writes in place, others go through a buffer
            const std::int32_t *ids = parts.order.data() + begin;
            if (ids[rows - 1] - ids[0] == rows - 1 && std::is_sorted(ids, ids + rows)) {
                gemm(h.data(), w, y + std::int64_t(ids[0]) * fOut, rows, fOut, fIn);
                continue;
            }
            out.resize(std::size_t(rows * fOut));
            gemm(h.data(), w, out.data(), rows, fOut, fIn);
            for (std::int64_t i = 0; i < rows; ++i)
                std::copy(out.begin() + i * fOut, out.begin() + (i + 1) * fOut, y + std::int64_t(ids[i]) * fOut);
        }
    }
    return {};
}

void cpu::sage(const Csr &a, const float *x, std::int64_t fIn, const float *wSelf, const float *wNeigh, std::int64_t fOut, float *y) {
    std::vector<float> m(std::size_t(a.rows * fIn));
    aggregate(a, x, fIn, Aggregation::Mean, m.data());
    gemm(x, wSelf, y, a.rows, fOut, fIn);
    gemm(m.data(), wNeigh, y, a.rows, fOut, fIn, true);
}

} // namespace seaside::kernels
