#include "backends/cpu/prepared_weights.h"

namespace seaside::backends {

Expected<std::shared_ptr<const kernels::cpu::Sparse24Cpu>> PreparedWeightsCache::get(const Key &key,
                                                                                   const kernels::Sparse24View &w) {
    const std::size_t bytes = kernels::cpu::preparedBytes(w);
    bool checked = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (const Entry &e : m_entries)
            if (e.key == key) {
                // read in place until other weights go and leave room for these
                if (e.prepared || m_bytes + bytes > m_budget)
                    return e.prepared;
                checked = true;
                break;
            }
    }
    if (!checked)
        if (Status s = kernels::validateMetadata(w); !s)
            return makeError(s.message());
    bool fits;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (auto it = m_entries.begin(); it != m_entries.end();) // older versions of the same buffers
            if (it->key.valuesId == key.valuesId && it->key.metaId == key.metaId) {
                m_bytes -= it->bytes;
                it = m_entries.erase(it);
            } else
                ++it;
        fits = m_bytes + bytes <= m_budget;
        if (!fits)
            m_entries.push_back({key, nullptr, 0});
    }
    if (!fits)
        return std::shared_ptr<const kernels::cpu::Sparse24Cpu>();
    // prepared outside the lock: another thread may prepare the same weights meanwhile, which
    // costs time but not correctness (both copies are the same; the second is the one kept)
    auto prepared = std::make_shared<const kernels::cpu::Sparse24Cpu>(kernels::cpu::prepareForCpu(w));
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
        if (it->key == key) {
            m_bytes -= it->bytes;
            m_entries.erase(it);
            break;
        }
    m_entries.push_back({key, prepared, bytes});
    m_bytes += bytes;
    return std::shared_ptr<const kernels::cpu::Sparse24Cpu>(prepared);
}

void PreparedWeightsCache::forget(std::uint64_t bufferId) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end();)
        if (it->key.valuesId == bufferId || it->key.metaId == bufferId) {
            m_bytes -= it->bytes;
            it = m_entries.erase(it);
        } else
            ++it;
}

std::size_t PreparedWeightsCache::entries() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_entries.size();
}

std::size_t PreparedWeightsCache::bytes() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_bytes;
}

} // namespace seaside::backends
