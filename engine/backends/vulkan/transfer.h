#pragma once
// One-off transfer commands on a device's queue, for buffers the host cannot map: a copy between
// buffers, or zeroing one. Each records, submits and waits; uploads and downloads are not the hot
// path (a layer's calls run in one Sequence).
#include "backends/vulkan/context.h"

namespace seaside::vk {

Status copyBuffer(Context &ctx, VkBuffer src, VkDeviceSize srcOffset, VkBuffer dst, VkDeviceSize dstOffset,
                  VkDeviceSize bytes);
/// Zeroes `bytes` (a multiple of 4) from the start of `buffer`.
Status zeroBuffer(Context &ctx, VkBuffer buffer, VkDeviceSize bytes);

} // namespace seaside::vk
