#pragma once
// 2:4 structured sparsity along K (the Sparse Tensor Core pattern): in every group of 4
// consecutive weights of a row, 2 are kept. Values [rows, k/2] in order; metadata 2 bits per kept
// value, the two positions of a group in 4 bits (first in the low 2), 8 groups per uint32:
// metadata [rows, k/32] (k/32 rounded up).
#include "core/expected.h"

#include <cstdint>
#include <vector>

namespace seaside::kernels {

struct Sparse24 {
    std::int64_t rows = 0, k = 0;
    std::vector<float> values;          // [rows, k/2]
    std::vector<std::uint32_t> meta;    // [rows, metaWords()]
    std::int64_t metaWords() const { return (k / 4 + 7) / 8; }
    /// Positions (0..3) kept in group g of row r.
    void positions(std::int64_t r, std::int64_t g, int &first, int &second) const {
        const std::uint32_t word = meta[std::size_t(r * metaWords() + g / 8)] >> ((g % 8) * 4);
        first = int(word & 3u);
        second = int((word >> 2) & 3u);
    }
};

/// A non-owning view of the same layout, for buffers that live elsewhere (a backend's memory).
struct Sparse24View {
    const float *values = nullptr;
    const std::uint32_t *meta = nullptr;
    std::int64_t rows = 0, k = 0;
    Sparse24View() = default;
    Sparse24View(const float *v, const std::uint32_t *m, std::int64_t r, std::int64_t kk) : values(v), meta(m), rows(r), k(kk) {}
    Sparse24View(const Sparse24 &s) : values(s.values.data()), meta(s.meta.data()), rows(s.rows), k(s.k) {}
    std::int64_t metaWords() const { return (k / 4 + 7) / 8; }
};

/// Prunes a dense row-major [rows, k] matrix to 2:4 by magnitude (keeps the 2 largest of every 4).
/// k must be a multiple of 4.
Expected<Sparse24> prune24(const float *dense, std::int64_t rows, std::int64_t k);
/// An error naming the first NaN of a dense [rows, k] matrix (pruning by magnitude cannot rank it).
Status noNaN(const char *what, const float *dense, std::int64_t rows, std::int64_t k);
/// Back to dense: the kept values in place, zeros elsewhere.
std::vector<float> densify(const Sparse24 &s);
/// Checks the metadata: both positions in 0..3, the first strictly before the second.
Status validate(const Sparse24 &s);
/// The metadata part of validate, on a view (buffers whose sizes are already checked).
Status validateMetadata(const Sparse24View &s);

/// Fraction of weights kept (0.5 for 2:4).
double density(const Sparse24 &s);

} // namespace seaside::kernels
