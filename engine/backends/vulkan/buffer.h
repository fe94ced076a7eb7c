#pragma once
// Storage buffers in host-visible, host-coherent memory, mapped for their whole life: upload and
// download are memcpy, correct on lavapipe, integrated and discrete GPUs alike (on a discrete GPU
// this is memory behind the BAR or host memory read over PCIe; fine for now, staging can come later).
#include "backends/backend.h"
#include "backends/vulkan/context.h"

#include <memory>

namespace seaside::vk {

class Buffer : public backends::Buffer {
public:
    static Expected<std::unique_ptr<Buffer>> create(std::shared_ptr<Context> ctx, std::size_t bytes);
    ~Buffer() override;
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    std::size_t size() const override { return m_size; }
    Status upload(const void *src, std::size_t bytes, std::size_t offset = 0) override;
    Status download(void *dst, std::size_t bytes, std::size_t offset = 0) const override;

    VkBuffer handle() const { return m_buffer; }
    /// The bytes bound to a shader: size() rounded up to 4, at least 4 (Vulkan has no empty buffers).
    VkDeviceSize boundBytes() const { return m_allocated; }
    const Context *context() const { return m_ctx.get(); }

private:
    Buffer() = default;
    std::shared_ptr<Context> m_ctx;
    VkBuffer m_buffer = VK_NULL_HANDLE;
    VkDeviceMemory m_memory = VK_NULL_HANDLE;
    void *m_mapped = nullptr;
    std::size_t m_size = 0;
    VkDeviceSize m_allocated = 0;
};

} // namespace seaside::vk
