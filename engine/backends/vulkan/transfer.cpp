#include "backends/vulkan/transfer.h"

#include <functional>

namespace seaside::vk {

namespace {

// Records `record` into a fresh command buffer, submits it and waits for it.
Status runOnce(Context &ctx, const std::function<void(VkCommandBuffer)> &record) {
    const VkDevice dev = ctx.device();
    VkCommandPool pool = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    struct Cleanup {
        VkDevice dev;
        VkCommandPool &pool;
        VkFence &fence;
        ~Cleanup() {
            if (fence)
                vkDestroyFence(dev, fence, nullptr);
            if (pool)
                vkDestroyCommandPool(dev, pool, nullptr); // frees its command buffer
        }
    } cleanup{dev, pool, fence};

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    poolInfo.queueFamilyIndex = ctx.queueFamily();
    if (VkResult r = vkCreateCommandPool(dev, &poolInfo, nullptr, &pool); r != VK_SUCCESS) {
        pool = VK_NULL_HANDLE;
        return vkError("vkCreateCommandPool (transfer)", r);
    }
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkCommandBufferAllocateInfo cmdInfo{};
    cmdInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cmdInfo.commandPool = pool;
    cmdInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmdInfo.commandBufferCount = 1;
    if (VkResult r = vkAllocateCommandBuffers(dev, &cmdInfo, &cmd); r != VK_SUCCESS)
        return vkError("vkAllocateCommandBuffers (transfer)", r);
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    if (VkResult r = vkBeginCommandBuffer(cmd, &begin); r != VK_SUCCESS)
        return vkError("vkBeginCommandBuffer (transfer)", r);
    record(cmd);
    if (VkResult r = vkEndCommandBuffer(cmd); r != VK_SUCCESS)
        return vkError("vkEndCommandBuffer (transfer)", r);
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    if (VkResult r = vkCreateFence(dev, &fenceInfo, nullptr, &fence); r != VK_SUCCESS) {
        fence = VK_NULL_HANDLE;
        return vkError("vkCreateFence (transfer)", r);
    }
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    {
        std::lock_guard<std::mutex> lock(ctx.mutex());
        if (VkResult r = vkQueueSubmit(ctx.queue(), 1, &submit, fence); r != VK_SUCCESS)
            return vkError("vkQueueSubmit (transfer)", r);
    }
    if (VkResult r = vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX); r != VK_SUCCESS)
        return vkError("vkWaitForFences (transfer)", r);
    return {};
}

// Makes the transfer's writes visible to later shaders and host reads (the fence orders the rest).
void barrierAfterTransfer(VkCommandBuffer cmd) {
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr,
                         0, nullptr);
}

// Orders the copy after the shaders' and earlier transfers' writes (a fence waited on by the
// host does not make device writes visible to the device's own transfer stage).
void barrierBeforeTransfer(VkCommandBuffer cmd) {
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    vkCmdPipelineBarrier(cmd,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                         VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

} // namespace

Status copyBuffer(Context &ctx, VkBuffer src, VkDeviceSize srcOffset, VkBuffer dst, VkDeviceSize dstOffset,
                  VkDeviceSize bytes) {
    return runOnce(ctx, [&](VkCommandBuffer cmd) {
        barrierBeforeTransfer(cmd);
        const VkBufferCopy region{srcOffset, dstOffset, bytes};
        vkCmdCopyBuffer(cmd, src, dst, 1, &region);
        barrierAfterTransfer(cmd);
    });
}

Status zeroBuffer(Context &ctx, VkBuffer buffer, VkDeviceSize bytes) {
    return runOnce(ctx, [&](VkCommandBuffer cmd) {
        barrierBeforeTransfer(cmd);
        vkCmdFillBuffer(cmd, buffer, 0, bytes, 0u);
        barrierAfterTransfer(cmd);
    });
}

} // namespace seaside::vk
