#pragma once
// 2:4 weights prepared for the CPU kernel (kernels::cpu::prepareForCpu), kept between calls:
// weights are static, and read in place the kernel runs ~25 % slower. Entries are keyed by the
// buffers' identities and versions (every write to a buffer bumps its version), so a changed
// weight is prepared again, never served stale; a buffer's entries go when the buffer does.
//
// Past the byte budget new weights are not prepared but read in place, rather than evicting
// prepared ones: a model's layers are called in the same cycle every time, and a least-recently-
// used cache smaller than that cycle would evict each matrix just before its next use, preparing
// (copying) every weight on every call.
#include "kernels/cpu_ssmm24.h"

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>

namespace seaside::backends {

class PreparedWeightsCache {
public:
    explicit PreparedWeightsCache(std::size_t budgetBytes) : m_budget(budgetBytes) {}
    struct Key {
        std::uint64_t valuesId, valuesVersion, metaId, metaVersion;
        std::int64_t rows, k;
        bool operator==(const Key &) const = default;
    };
    /// The prepared form of `w` (prepared now if the cache has none for `key`), or null where
    /// preparing it would pass the budget: the caller then reads `w` in place. The metadata is
    /// checked once per content either way: invalid metadata is an error and nothing is kept.
    Expected<std::shared_ptr<const kernels::cpu::Sparse24Cpu>> get(const Key &key, const kernels::Sparse24View &w);
    /// Drops the entries of a buffer that is going away.
    void forget(std::uint64_t bufferId);
    std::size_t entries() const;
    std::size_t bytes() const;

private:
    struct Entry {
        Key key;
        std::shared_ptr<const kernels::cpu::Sparse24Cpu> prepared; // null: checked, read in place
        std::size_t bytes;
    };
    mutable std::mutex m_mutex;
    std::list<Entry> m_entries;
    std::size_t m_budget, m_bytes = 0;
};

} // namespace seaside::backends
