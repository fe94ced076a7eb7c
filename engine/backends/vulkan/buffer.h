#pragma once
// Storage buffers. Where the context stages (discrete GPUs), a buffer lives in device-local
// memory (VRAM) and upload/download go through a host-visible staging buffer and a copy on the
// queue; elsewhere (lavapipe, integrated GPUs) it is host-visible, host-coherent memory mapped for
// its whole life, and upload/download are memcpy. Kernels read VRAM at its full bandwidth, not
// host memory over PCIe.
#include "backends/backend.h"
#include "backends/vulkan/context.h"

#include <memory>

namespace seaside::vk {

class Buffer : public backends::Buffer {
public:
    static Expected<std::unique_ptr<Buffer>> create(std::shared_ptr<Context> ctx, std::size_t bytes);
    /// Always host-visible and mapped (staging buffers). `forReading`: host-cached memory where the
    /// device has it, since the uncached (write-combined) kind is slow for the CPU to read.
    static Expected<std::unique_ptr<Buffer>> createMapped(std::shared_ptr<Context> ctx, std::size_t bytes,
                                                          bool forReading = false);
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
    /// Whether the host maps it (false: device-local, reached by staging copies).
    bool mapped() const { return m_mapped != nullptr; }

private:
    Buffer() = default;
    static Expected<std::unique_ptr<Buffer>> make(std::shared_ptr<Context> ctx, std::size_t bytes, bool mapped,
                                                  bool cached = false);
    std::shared_ptr<Context> m_ctx;
    VkBuffer m_buffer = VK_NULL_HANDLE;
    VkDeviceMemory m_memory = VK_NULL_HANDLE;
    void *m_mapped = nullptr;
    std::size_t m_size = 0;
    VkDeviceSize m_allocated = 0;
};

} // namespace seaside::vk
