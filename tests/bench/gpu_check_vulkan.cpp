// The Vulkan half of the GPU check: lists the Vulkan devices and picks the one the Vulkan rows of
// gpu_check.cpp run on. Built with g++ by gpu_check.sh only where it finds the Vulkan headers, a
// loader (libvulkan.so.1) and glslc; kept apart so that gpu_check.cpp (nvcc) needs no Vulkan headers.
#include "backends/vulkan/vulkan_backend.h"

#include <cstdio>
#include <string>

namespace seaside::gpucheck {

/// The Vulkan device to check: a discrete NVIDIA GPU before any other discrete GPU, then integrated,
/// then anything else, a CPU implementation (lavapipe) last. Null when there is none, `why` saying
/// why; `cpu` tells whether it runs on the CPU (then the benchmarks take small shapes).
backends::Device *vulkanDevice(std::string *why, bool *cpu) {
    const auto devices = backends::vulkanBackend()->devices();
    if (devices.empty()) {
        // The backend keeps its reason to itself: ask the instance again to say which step failed.
        auto instance = vk::Instance::create();
        *why = (!instance ? instance.error().message : "no device with Vulkan 1.1 and a compute queue") +
               " (is a driver's ICD installed? an NVIDIA container gets it with the 'graphics' driver capability)";
        return nullptr;
    }
    auto rank = [](const VkPhysicalDeviceProperties &p) {
        const bool nvidia = p.vendorID == 0x10de;
        switch (p.deviceType) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return nvidia ? 5 : 4;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
        default: return 2;
        }
    };
    vk::VulkanDevice *best = nullptr;
    for (backends::Device *d : devices) {
        auto *vd = static_cast<vk::VulkanDevice *>(d); // the Vulkan backend's devices are all VulkanDevice
        if (!best || rank(vd->context().properties()) > rank(best->context().properties()))
            best = vd;
    }
    for (backends::Device *d : devices) {
        const auto &p = static_cast<vk::VulkanDevice *>(d)->context().properties();
        std::printf("vulkan device: %s (Vulkan %u.%u, %s, fp16 %s)%s\n", p.deviceName, VK_API_VERSION_MAJOR(p.apiVersion),
                    VK_API_VERSION_MINOR(p.apiVersion),
                    p.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ? "CPU" : p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ? "discrete GPU" : "GPU",
                    static_cast<vk::VulkanDevice *>(d)->context().float16() ? "yes" : "no", d == best ? " <- checked" : "");
    }
    const auto &p = best->context().properties();
    *cpu = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU || std::string(p.deviceName).find("llvmpipe") != std::string::npos;
    return best;
}

} // namespace seaside::gpucheck
