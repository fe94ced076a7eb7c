#include "backends/cpu/prepared_weights.h"

namespace seaside::backends {

Expected<std::shared_ptr<const kernels::cpu::Sparse24Cpu>> PreparedWeightsCache::get(const Key &key,
                                                                                   const kernels::Sparse24View &w) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (it->key == key) {
                m_entries.splice(m_entries.begin(), m_entries, it);
                return it->prepared;
            }
    }
    if (Status s = kernels::validateMetadata(w); !s)
        return makeError(s.message());
    // prepared outside the lock: another thread may prepare the same weights meanwhile, which
    // costs time but not correctness (both copies are the same)
    auto prepared = std::make_shared<const kernels::cpu::Sparse24Cpu>(kernels::cpu::prepareForCpu(w));
    const std::size_t bytes = prepared->values.size() * sizeof(float) + prepared->meta.size() * sizeof(std::uint32_t);
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end();) // older versions of the same buffers
        if (it->key.valuesId == key.valuesId && it->key.metaId == key.metaId) {
            m_bytes -= it->bytes;
            it = m_entries.erase(it);
        } else
            ++it;
    m_entries.push_front({key, prepared, bytes});
    m_bytes += bytes;
    while (m_bytes > m_budget && m_entries.size() > 1) {
        m_bytes -= m_entries.back().bytes;
        m_entries.pop_back();
    }
    return std::shared_ptr<const kernels::cpu::Sparse24Cpu>(prepared);
}

std::size_t PreparedWeightsCache::entries() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_entries.size();
}

} // namespace seaside::backends
