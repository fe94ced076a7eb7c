#pragma once
// 2:4 weights prepared for the CPU kernel (kernels::cpu::prepareForCpu), kept between calls:
// weights are static, and read in place the kernel runs ~25 % slower. Entries are keyed by the
// buffers' identities and versions (every write to a buffer bumps its version), so a changed
// weight is prepared again, never served stale. Least recently used entries go past a byte budget.
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
    /// The prepared form of `w`, prepared now if the cache has none for `key`. The metadata is
    /// checked then, once per content: invalid metadata is an error and nothing is kept.
    Expected<std::shared_ptr<const kernels::cpu::Sparse24Cpu>> get(const Key &key, const kernels::Sparse24View &w);
    std::size_t entries() const;

private:
    struct Entry {
        Key key;
        std::shared_ptr<const kernels::cpu::Sparse24Cpu> prepared;
        std::size_t bytes;
    };
    mutable std::mutex m_mutex;
    std::list<Entry> m_entries; // most recently used first
    std::size_t m_budget, m_bytes = 0;
};

} // namespace seaside::backends
