#pragma once
// A Sequence records compute dispatches into one command buffer, each between two timestamp
// queries, then submits it, waits on a fence and reads one duration per dispatch (Kompute's
// Sequence). Barriers go in only between dependent dispatches (read-after-write, write-after-read,
// write-after-write on a buffer).
#include "backends/vulkan/buffer.h"
#include "backends/vulkan/pipeline.h"

#include <memory>
#include <vector>

namespace seaside::vk {

struct Binding {
    const Buffer *buffer = nullptr;
    bool written = false;   // the shader writes it (for the dependency tracking)
    // Every dispatch writes its own words of it (the run's check buffer) and no dispatch reads
    // another's: no barrier between dispatches for it.
    bool independent = false;
};

class Sequence {
public:
    /// A command buffer in recording state with room for `maxDispatches` dispatches of up to
    /// `maxBindings` buffers each.
    static Expected<std::unique_ptr<Sequence>> create(Context &ctx, std::uint32_t maxDispatches,
                                                      std::uint32_t maxBindings = 8);
    ~Sequence();
    Sequence(const Sequence &) = delete;
    Sequence &operator=(const Sequence &) = delete;

    /// Records one dispatch (group counts may be 0: then only its timestamps are written).
    Status dispatch(const Pipeline &pipeline, const std::vector<Binding> &bindings, const void *push,
                    std::uint32_t groupsX, std::uint32_t groupsY = 1, std::uint32_t groupsZ = 1);
    /// Records a fill of the first `bytes` (a multiple of 4) of `buffer` with `value`, and a
    /// barrier that orders it before the dispatches recorded after it.
    Status fill(const Buffer &buffer, VkDeviceSize bytes, std::uint32_t value);
    /// The device the sequence records for.
    const Context &context() const { return m_ctx; }
    /// Ends recording, submits, waits, and puts one duration in seconds per dispatch in `timings`.
    Status submit(std::vector<double> *timings);

private:
    explicit Sequence(Context &ctx) : m_ctx(ctx) {}
    Context &m_ctx;
    VkCommandPool m_pool = VK_NULL_HANDLE;
    VkCommandBuffer m_cmd = VK_NULL_HANDLE;
    VkDescriptorPool m_descriptors = VK_NULL_HANDLE;
    VkQueryPool m_queries = VK_NULL_HANDLE;
    VkFence m_fence = VK_NULL_HANDLE;
    std::uint32_t m_maxDispatches = 0, m_maxBindings = 0;
    std::uint32_t m_dispatches = 0;
    bool m_submitted = false;
    // buffers touched since the last barrier
    std::vector<VkBuffer> m_read, m_written;
};

} // namespace seaside::vk
