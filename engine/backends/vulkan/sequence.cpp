#include "backends/vulkan/sequence.h"

#include <algorithm>
#include <chrono>

namespace seaside::vk {

Expected<std::unique_ptr<Sequence>> Sequence::create(Context &ctx, std::uint32_t maxDispatches,
                                                     std::uint32_t maxBindings) {
    std::unique_ptr<Sequence> seq(new Sequence(ctx));
    const VkDevice dev = ctx.device();
    seq->m_maxDispatches = maxDispatches;
    seq->m_maxBindings = maxBindings;
    const std::uint32_t sets = std::max<std::uint32_t>(1, maxDispatches);

    VkCommandPoolCreateInfo poolInfo{};
    poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    poolInfo.queueFamilyIndex = ctx.queueFamily();
    if (VkResult r = vkCreateCommandPool(dev, &poolInfo, nullptr, &seq->m_pool); r != VK_SUCCESS) {
        seq->m_pool = VK_NULL_HANDLE; // undefined after a failure; the destructor would free it
        return vkError("vkCreateCommandPool", r);
    }
    VkCommandBufferAllocateInfo cmdInfo{};
    cmdInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    cmdInfo.commandPool = seq->m_pool;
    cmdInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmdInfo.commandBufferCount = 1;
    if (VkResult r = vkAllocateCommandBuffers(dev, &cmdInfo, &seq->m_cmd); r != VK_SUCCESS) {
        seq->m_cmd = VK_NULL_HANDLE;
        return vkError("vkAllocateCommandBuffers", r);
    }

    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, sets * std::max<std::uint32_t>(1, maxBindings)};
    VkDescriptorPoolCreateInfo descInfo{};
    descInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    descInfo.maxSets = sets;
    descInfo.poolSizeCount = 1;
    descInfo.pPoolSizes = &size;
    if (VkResult r = vkCreateDescriptorPool(dev, &descInfo, nullptr, &seq->m_descriptors); r != VK_SUCCESS) {
        seq->m_descriptors = VK_NULL_HANDLE;
        return vkError("vkCreateDescriptorPool", r);
    }

    if (ctx.timestampValidBits() > 0) {
        VkQueryPoolCreateInfo queryInfo{};
        queryInfo.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
        queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        queryInfo.queryCount = 2 * sets;
        if (VkResult r = vkCreateQueryPool(dev, &queryInfo, nullptr, &seq->m_queries); r != VK_SUCCESS) {
            seq->m_queries = VK_NULL_HANDLE;
            return vkError("vkCreateQueryPool", r);
        }
    }
    VkFenceCreateInfo fenceInfo{};
    fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    if (VkResult r = vkCreateFence(dev, &fenceInfo, nullptr, &seq->m_fence); r != VK_SUCCESS) {
        seq->m_fence = VK_NULL_HANDLE;
        return vkError("vkCreateFence", r);
    }

    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    if (VkResult r = vkBeginCommandBuffer(seq->m_cmd, &begin); r != VK_SUCCESS)
        return vkError("vkBeginCommandBuffer", r);
    if (seq->m_queries)
        vkCmdResetQueryPool(seq->m_cmd, seq->m_queries, 0, 2 * sets);
    return seq;
}

Sequence::~Sequence() {
    const VkDevice dev = m_ctx.device();
    if (m_fence)
        vkDestroyFence(dev, m_fence, nullptr);
    if (m_queries)
        vkDestroyQueryPool(dev, m_queries, nullptr);
    if (m_descriptors)
        vkDestroyDescriptorPool(dev, m_descriptors, nullptr);
    if (m_pool)
        vkDestroyCommandPool(dev, m_pool, nullptr); // frees m_cmd
}

Status Sequence::dispatch(const Pipeline &pipeline, const std::vector<Binding> &bindings, const void *push,
                          std::uint32_t groupsX, std::uint32_t groupsY, std::uint32_t groupsZ) {
    if (m_submitted)
        return makeError("Vulkan sequence: dispatch after submit");
    if (m_dispatches >= m_maxDispatches)
        return makeError("Vulkan sequence: more dispatches than the " + std::to_string(m_maxDispatches) + " reserved");
    // past the pool's room a driver that enforces pool sizes fails the set (lavapipe does not):
    // refused here, on every driver
    if (bindings.size() > m_maxBindings)
        return makeError("Vulkan sequence: " + std::to_string(bindings.size()) + " buffers, past the " +
                         std::to_string(m_maxBindings) + " a dispatch reserved");
    if (bindings.size() != pipeline.bindings)
        return makeError("Vulkan sequence: " + std::to_string(bindings.size()) + " buffers for a pipeline of " +
                         std::to_string(pipeline.bindings) + " bindings");
    const VkDevice dev = m_ctx.device();

    VkDescriptorSetAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    alloc.descriptorPool = m_descriptors;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &pipeline.setLayout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (VkResult r = vkAllocateDescriptorSets(dev, &alloc, &set); r != VK_SUCCESS)
        return vkError("vkAllocateDescriptorSets", r);
    std::vector<VkDescriptorBufferInfo> infos(bindings.size());
    std::vector<VkWriteDescriptorSet> writes(bindings.size());
    for (std::size_t i = 0; i < bindings.size(); ++i) {
        if (!bindings[i].buffer)
            return makeError("Vulkan sequence: binding " + std::to_string(i) + " has no buffer");
        infos[i] = {bindings[i].buffer->handle(), 0, bindings[i].buffer->boundBytes()};
        writes[i] = {};
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = set;
        writes[i].dstBinding = std::uint32_t(i);
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
    }
    vkUpdateDescriptorSets(dev, std::uint32_t(writes.size()), writes.data(), 0, nullptr);

    // A barrier only when this dispatch depends on one since the last barrier: it reads or writes
    // a buffer written there (RAW, WAW) or writes a buffer read there (WAR).
    auto touched = [](const std::vector<VkBuffer> &v, VkBuffer b) { return std::find(v.begin(), v.end(), b) != v.end(); };
    bool dependent = false;
    for (const Binding &b : bindings)
        dependent = dependent || (!b.independent && (touched(m_written, b.buffer->handle()) ||
                                                     (b.written && touched(m_read, b.buffer->handle()))));
    if (dependent) {
        VkMemoryBarrier barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
        vkCmdPipelineBarrier(m_cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                             &barrier, 0, nullptr, 0, nullptr);
        m_read.clear();
        m_written.clear();
    }
    for (const Binding &b : bindings)
        if (!b.independent)
            (b.written ? m_written : m_read).push_back(b.buffer->handle());

    // The start is stamped once earlier dispatches have left the compute stage: at TOP_OF_PIPE it
    // would not wait for them, and on a GPU (not on lavapipe, which runs dispatches one after
    // another) each call's time would take in the tail of the one before. Where no barrier
    // separates two calls (independent buffers, e.g. two experts' w1), the GPU may start the
    // second before this stamp: its time then runs from the first one's end to its own, less
    // than it ran. The sum over a run stays right.
    if (m_queries)
        vkCmdWriteTimestamp(m_cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, m_queries, 2 * m_dispatches);
    if (groupsX && groupsY && groupsZ) {
        vkCmdBindPipeline(m_cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline);
        vkCmdBindDescriptorSets(m_cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &set, 0, nullptr);
        if (pipeline.pushBytes && push)
            vkCmdPushConstants(m_cmd, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pipeline.pushBytes, push);
        vkCmdDispatch(m_cmd, groupsX, groupsY, groupsZ);
    }
    if (m_queries)
        vkCmdWriteTimestamp(m_cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_queries, 2 * m_dispatches + 1);
    ++m_dispatches;
    return {};
}

Status Sequence::fill(const Buffer &buffer, VkDeviceSize bytes, std::uint32_t value) {
    if (m_submitted)
        return makeError("Vulkan sequence: fill after submit");
    if (bytes % 4 || bytes > buffer.boundBytes())
        return makeError("Vulkan sequence: a fill of " + std::to_string(bytes) + " bytes in a buffer of " +
                         std::to_string(buffer.boundBytes()));
    if (bytes == 0)
        return {};
    vkCmdFillBuffer(m_cmd, buffer.handle(), 0, bytes, value);
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
    vkCmdPipelineBarrier(m_cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0,
                         nullptr, 0, nullptr);
    return {};
}

Status Sequence::submit(std::vector<double> *timings) {
    if (m_submitted)
        return makeError("Vulkan sequence: submitted twice");
    m_submitted = true;
    // Shader writes -> host reads after the fence (mapped buffers), -> later copies (staged
    // buffers' downloads, the next run's fill of the check buffer) and -> the shaders of later
    // runs on this queue (a fence makes writes available but not visible to them).
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
    vkCmdPipelineBarrier(m_cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         0, 1, &barrier, 0, nullptr, 0, nullptr);
    if (VkResult r = vkEndCommandBuffer(m_cmd); r != VK_SUCCESS)
        return vkError("vkEndCommandBuffer", r);

    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &m_cmd;
    const auto start = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(m_ctx.mutex()); // vkQueueSubmit needs external sync on the queue
        if (VkResult r = vkQueueSubmit(m_ctx.queue(), 1, &submit, m_fence); r != VK_SUCCESS)
            return vkError("vkQueueSubmit", r);
    }
    if (VkResult r = vkWaitForFences(m_ctx.device(), 1, &m_fence, VK_TRUE, UINT64_MAX); r != VK_SUCCESS)
        return vkError("vkWaitForFences", r);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (!timings)
        return {};
    timings->assign(m_dispatches, 0.0);
    if (m_dispatches == 0)
        return {};
    if (m_queries) {
        std::vector<std::uint64_t> ticks(2 * std::size_t(m_dispatches));
        const VkResult r = vkGetQueryPoolResults(m_ctx.device(), m_queries, 0, 2 * m_dispatches,
                                                 ticks.size() * sizeof(std::uint64_t), ticks.data(),
                                                 sizeof(std::uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
        if (r != VK_SUCCESS)
            return vkError("vkGetQueryPoolResults", r);
        const std::uint32_t bits = m_ctx.timestampValidBits();
        const std::uint64_t mask = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
        for (std::uint32_t i = 0; i < m_dispatches; ++i) {
            const std::uint64_t delta = ((ticks[2 * i + 1] & mask) - (ticks[2 * i] & mask)) & mask; // wraps
            (*timings)[i] = double(delta) * double(m_ctx.timestampPeriod()) * 1e-9;
        }
    } else {
        // The queue writes no timestamps (timestampValidBits == 0): a steady clock over the whole
        // submit, split evenly between the dispatches. Coarse, and includes submission overhead.
        for (double &t : *timings)
            t = wall / double(m_dispatches);
    }
    return {};
}

} // namespace seaside::vk
