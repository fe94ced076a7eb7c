#include "backends/vulkan/buffer.h"

#include "backends/vulkan/transfer.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace seaside::vk {

Expected<std::unique_ptr<Buffer>> Buffer::create(std::shared_ptr<Context> ctx, std::size_t bytes) {
    const bool mapped = !ctx->stagedBuffers();
    return make(std::move(ctx), bytes, mapped);
}

Expected<std::unique_ptr<Buffer>> Buffer::createMapped(std::shared_ptr<Context> ctx, std::size_t bytes, bool forReading) {
    return make(std::move(ctx), bytes, true, forReading);
}

Expected<std::unique_ptr<Buffer>> Buffer::make(std::shared_ptr<Context> ctx, std::size_t bytes, bool mapped, bool cached) {
    // rounded up to whole words below: the last three sizes would wrap to a 4-byte buffer that
    // claims to hold them (no device has that much memory anyway)
    if (VkDeviceSize(bytes) > std::numeric_limits<VkDeviceSize>::max() - 3)
        return makeError("Vulkan: cannot allocate a buffer of " + std::to_string(bytes) + " bytes");
    std::unique_ptr<Buffer> buf(new Buffer);
    buf->m_ctx = std::move(ctx);
    buf->m_size = bytes;
    buf->m_allocated = std::max<VkDeviceSize>(4, (VkDeviceSize(bytes) + 3) / 4 * 4);
    const VkDevice dev = buf->m_ctx->device();

    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = buf->m_allocated;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    if (VkResult r = vkCreateBuffer(dev, &info, nullptr, &buf->m_buffer); r != VK_SUCCESS) {
        buf->m_buffer = VK_NULL_HANDLE;
        return vkError("vkCreateBuffer(" + std::to_string(bytes) + " bytes)", r);
    }
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, buf->m_buffer, &req);
    const VkMemoryPropertyFlags visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    // still host-coherent when cached: nothing to flush or invalidate
    int type = mapped && cached ? buf->m_ctx->findMemoryType(req.memoryTypeBits, visible | VK_MEMORY_PROPERTY_HOST_CACHED_BIT)
                                : -1;
    if (type < 0)
        type = mapped ? buf->m_ctx->findMemoryType(req.memoryTypeBits, visible)
                      : buf->m_ctx->findMemoryType(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (type < 0 && !mapped) { // no device-local type for storage buffers: fall back to mapped memory
        mapped = true;
        type = buf->m_ctx->findMemoryType(req.memoryTypeBits, visible);
    }
    if (type < 0)
        return makeError("Vulkan: no host-visible, host-coherent memory type for a storage buffer");
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = std::uint32_t(type);
    if (VkResult r = vkAllocateMemory(dev, &alloc, nullptr, &buf->m_memory); r != VK_SUCCESS) {
        buf->m_memory = VK_NULL_HANDLE;
        return vkError("vkAllocateMemory(" + std::to_string(req.size) + " bytes)", r);
    }
    if (VkResult r = vkBindBufferMemory(dev, buf->m_buffer, buf->m_memory, 0); r != VK_SUCCESS)
        return vkError("vkBindBufferMemory", r);
    if (!mapped) {
        if (Status s = zeroBuffer(*buf->m_ctx, buf->m_buffer, buf->m_allocated); !s)
            return makeError(s.message());
        return buf;
    }
    if (VkResult r = vkMapMemory(dev, buf->m_memory, 0, VK_WHOLE_SIZE, 0, &buf->m_mapped); r != VK_SUCCESS) {
        buf->m_mapped = nullptr;
        return vkError("vkMapMemory", r);
    }
    std::memset(buf->m_mapped, 0, std::size_t(buf->m_allocated));
    return buf;
}

Buffer::~Buffer() {
    const VkDevice dev = m_ctx ? m_ctx->device() : VK_NULL_HANDLE;
    if (!dev)
        return;
    if (m_mapped)
        vkUnmapMemory(dev, m_memory);
    if (m_buffer)
        vkDestroyBuffer(dev, m_buffer, nullptr);
    if (m_memory)
        vkFreeMemory(dev, m_memory, nullptr);
}

namespace {
Status checkRange(const char *what, std::size_t bytes, std::size_t offset, std::size_t size) {
    if (offset > size || bytes > size - offset)
        return makeError(std::string("Vulkan buffer ") + what + ": " + std::to_string(bytes) + " bytes at offset " +
                         std::to_string(offset) + " overrun a buffer of " + std::to_string(size) + " bytes");
    return {};
}
} // namespace

Status Buffer::upload(const void *src, std::size_t bytes, std::size_t offset) {
    if (Status s = checkRange("upload", bytes, offset, m_size); !s)
        return s;
    if (bytes == 0)
        return {};
    if (!src)
        return makeError("Vulkan buffer upload: null source");
    if (!m_mapped) { // device-local: through a staging buffer
        auto staging = createMapped(m_ctx, bytes);
        if (!staging.ok())
            return makeError("Vulkan upload staging: " + staging.error().message);
        std::memcpy((*staging)->m_mapped, src, bytes);
        return copyBuffer(*m_ctx, (*staging)->m_buffer, 0, m_buffer, offset, bytes);
    }
    // Host-coherent: no flush needed; vkQueueSubmit makes host writes visible to the device.
    std::memcpy(static_cast<char *>(m_mapped) + offset, src, bytes);
    return {};
}

Status Buffer::download(void *dst, std::size_t bytes, std::size_t offset) const {
    if (Status s = checkRange("download", bytes, offset, m_size); !s)
        return s;
    if (bytes == 0)
        return {};
    if (!dst)
        return makeError("Vulkan buffer download: null destination");
    if (!m_mapped) { // device-local: through a staging buffer
        auto staging = createMapped(m_ctx, bytes, true);
        if (!staging.ok())
            return makeError("Vulkan download staging: " + staging.error().message);
        if (Status s = copyBuffer(*m_ctx, m_buffer, offset, (*staging)->m_buffer, 0, bytes); !s)
            return s;
        std::memcpy(dst, (*staging)->m_mapped, bytes);
        return {};
    }
    std::memcpy(dst, static_cast<const char *>(m_mapped) + offset, bytes);
    return {};
}

} // namespace seaside::vk
