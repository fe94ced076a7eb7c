#pragma once
// Vulkan context after Kompute: one process-wide Instance, one Context (logical device + compute
// queue) per selected physical device. Names live in seaside::vk, never with a Vk prefix.
#include "core/expected.h"

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seaside::vk {

/// The SPIR-V of shaders/<name>.comp, embedded at build time (cmake/embed_spirv.cmake); null when
/// there is none. `bytes` gets its size.
const std::uint32_t *embeddedShader(const char *name, std::size_t *bytes);

/// A VkResult as text, for error messages.
std::string resultName(VkResult r);
/// makeError("<what>: <VkResult>").
Error vkError(const std::string &what, VkResult r);

/// The VkInstance and the physical devices this process may use.
class Instance {
public:
    /// Creates the instance (validation layers only with SEASIDE_VK_VALIDATION=1). An error, not a
    /// crash, when there is no Vulkan loader or driver.
    static Expected<std::shared_ptr<Instance>> create();
    ~Instance();
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;

    VkInstance handle() const { return m_instance; }
    /// Every physical device with a compute queue and Vulkan >= 1.1 (the shaders are SPIR-V 1.3).
    /// SEASIDE_VK_VISIBLE_DEVICES="0,2" keeps only those indices of vkEnumeratePhysicalDevices
    /// order (as GGML_VK_VISIBLE_DEVICES does). `leftOut` (if given) gets a line for each device
    /// passed over and why.
    std::vector<VkPhysicalDevice> computeDevices(std::vector<std::string> *leftOut = nullptr) const;

private:
    Instance() = default;
    VkInstance m_instance = VK_NULL_HANDLE;
};

/// A logical device with one compute queue.
class Context {
public:
    static Expected<std::shared_ptr<Context>> create(std::shared_ptr<Instance> instance, VkPhysicalDevice physical);
    ~Context();
    Context(const Context &) = delete;
    Context &operator=(const Context &) = delete;

    VkDevice device() const { return m_device; }
    VkPhysicalDevice physical() const { return m_physical; }
    VkQueue queue() const { return m_queue; }
    std::uint32_t queueFamily() const { return m_queueFamily; }
    const VkPhysicalDeviceProperties &properties() const { return m_props; }
    const VkPhysicalDeviceLimits &limits() const { return m_props.limits; }
    const VkPhysicalDeviceMemoryProperties &memory() const { return m_memory; }
    /// Nanoseconds per timestamp tick.
    float timestampPeriod() const { return m_props.limits.timestampPeriod; }
    /// Valid bits of the queue's timestamps; 0 when the queue cannot write timestamps.
    std::uint32_t timestampValidBits() const { return m_timestampBits; }
    /// Largest device-local heap in bytes.
    std::uint64_t deviceLocalBytes() const;
    /// Shader cores (SMs, CUs) where an extension reports them; 0 otherwise.
    int computeUnits() const { return m_computeUnits; }
    /// Whether shaderFloat16 and storageBuffer16BitAccess are on (both are enabled at creation
    /// where the device has them): fp16 buffers and arithmetic in shaders.
    bool float16() const { return m_float16; }
    /// Whether buffers live in device-local memory the host cannot map, reached by staging
    /// copies: on discrete GPUs (VRAM), not on integrated or CPU devices, whose memory the host
    /// maps anyway. SEASIDE_VK_STAGING=1 or 0 overrides (the tests force it on lavapipe).
    bool stagedBuffers() const { return m_staged; }
    /// A memory type index with all of `flags` among `typeBits`; -1 when none.
    int findMemoryType(std::uint32_t typeBits, VkMemoryPropertyFlags flags) const;
    /// Serialises queue submissions for this device (pipelines are built under the device's run mutex).
    std::mutex &mutex() { return m_mutex; }

private:
    Context() = default;
    std::shared_ptr<Instance> m_instance;
    VkPhysicalDevice m_physical = VK_NULL_HANDLE;
    VkDevice m_device = VK_NULL_HANDLE;
    VkQueue m_queue = VK_NULL_HANDLE;
    std::uint32_t m_queueFamily = 0;
    std::uint32_t m_timestampBits = 0;
    int m_computeUnits = 0;
    bool m_float16 = false;
    bool m_staged = false;
    VkPhysicalDeviceProperties m_props{};
    VkPhysicalDeviceMemoryProperties m_memory{};
    std::mutex m_mutex;
};

} // namespace seaside::vk
