#include "backends/vulkan/context.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace seaside::vk {

std::string resultName(VkResult r) {
    switch (r) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_INCOMPLETE: return "VK_INCOMPLETE";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    case VK_ERROR_INVALID_SHADER_NV: return "VK_ERROR_INVALID_SHADER_NV";
    default: return "VkResult " + std::to_string(int(r));
    }
}

Error vkError(const std::string &what, VkResult r) { return makeError(what + ": " + resultName(r)); }

namespace {

bool envTrue(const char *name) {
    const char *v = std::getenv(name);
    return v && *v && std::strcmp(v, "0") != 0;
}

bool hasInstanceExtension(const char *name) {
    std::uint32_t count = 0;
    if (vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkExtensionProperties> exts(count);
    vkEnumerateInstanceExtensionProperties(nullptr, &count, exts.data());
    for (const auto &e : exts)
        if (std::strcmp(e.extensionName, name) == 0)
            return true;
    return false;
}

bool hasLayer(const char *name) {
    std::uint32_t count = 0;
    if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const auto &l : layers)
        if (std::strcmp(l.layerName, name) == 0)
            return true;
    return false;
}

bool hasDeviceExtension(VkPhysicalDevice dev, const char *name) {
    std::uint32_t count = 0;
    if (vkEnumerateDeviceExtensionProperties(dev, nullptr, &count, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkExtensionProperties> exts(count);
    vkEnumerateDeviceExtensionProperties(dev, nullptr, &count, exts.data());
    for (const auto &e : exts)
        if (std::strcmp(e.extensionName, name) == 0)
            return true;
    return false;
}

/// The compute queue family: one that also writes timestamps when there is one; -1 when none.
int computeFamily(VkPhysicalDevice dev, std::uint32_t *timestampBits) {
    std::uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(dev, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(dev, &count, families.data());
    int best = -1;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0)
            continue;
        if (best < 0 || (families[std::size_t(best)].timestampValidBits == 0 && families[i].timestampValidBits > 0))
            best = int(i);
    }
    if (best >= 0 && timestampBits)
        *timestampBits = families[std::size_t(best)].timestampValidBits;
    return best;
}

} // namespace

Expected<std::shared_ptr<Instance>> Instance::create() {
    std::uint32_t version = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion(&version) != VK_SUCCESS || version < VK_API_VERSION_1_1)
        return makeError("Vulkan: the loader offers no Vulkan 1.1 instance");
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "seaside";
    app.pEngineName = "seaside";
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    std::vector<const char *> exts, layers;
    // MoltenVK and other non-conformant drivers are listed only with portability enumeration.
    if (hasInstanceExtension(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
        exts.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
        info.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
    }
    if (envTrue("SEASIDE_VK_VALIDATION") && hasLayer("VK_LAYER_KHRONOS_validation"))
        layers.push_back("VK_LAYER_KHRONOS_validation");
    info.enabledExtensionCount = std::uint32_t(exts.size());
    info.ppEnabledExtensionNames = exts.data();
    info.enabledLayerCount = std::uint32_t(layers.size());
    info.ppEnabledLayerNames = layers.data();
    std::shared_ptr<Instance> inst(new Instance);
    if (VkResult r = vkCreateInstance(&info, nullptr, &inst->m_instance); r != VK_SUCCESS) {
        inst->m_instance = VK_NULL_HANDLE;
        return vkError("vkCreateInstance", r);
    }
    return inst;
}

Instance::~Instance() {
    if (m_instance)
        vkDestroyInstance(m_instance, nullptr);
}

std::vector<VkPhysicalDevice> Instance::computeDevices(std::vector<std::string> *leftOut) const {
    const auto note = [leftOut](std::string line) {
        if (leftOut)
            leftOut->push_back(std::move(line));
    };
    std::uint32_t count = 0;
    if (vkEnumeratePhysicalDevices(m_instance, &count, nullptr) != VK_SUCCESS || count == 0) {
        note("the Vulkan loader lists no device (no driver for this machine's GPU, nor lavapipe)");
        return {};
    }
    std::vector<VkPhysicalDevice> all(count);
    if (VkResult r = vkEnumeratePhysicalDevices(m_instance, &count, all.data()); r < 0) {
        note(std::string("vkEnumeratePhysicalDevices: ") + resultName(r));
        return {};
    }
    all.resize(count);
    std::vector<bool> visible(all.size(), true);
    if (const char *env = std::getenv("SEASIDE_VK_VISIBLE_DEVICES"); env && *env) {
        visible.assign(all.size(), false);
        std::stringstream ss(env);
        for (std::string item; std::getline(ss, item, ',');) {
            char *end = nullptr;
            const long idx = std::strtol(item.c_str(), &end, 10);
            if (end != item.c_str() && idx >= 0 && std::size_t(idx) < all.size())
                visible[std::size_t(idx)] = true;
        }
    }
    // One device per GPU: a loader can list the same GPU twice (a driver's manifest installed
    // twice, or two drivers for one GPU), which would show as two devices sharing one memory.
    // Entries with the same deviceUUID, which Vulkan defines per device, are merged.
    std::vector<std::array<std::uint8_t, VK_UUID_SIZE>> seen;
    std::vector<VkPhysicalDevice> out;
    for (std::size_t i = 0; i < all.size(); ++i) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(all[i], &p);
        const std::string which = "device " + std::to_string(i) + " (" + p.deviceName + ")";
        if (!visible[i]) {
            note(which + ": hidden by SEASIDE_VK_VISIBLE_DEVICES");
            continue;
        }
        if (p.apiVersion < VK_API_VERSION_1_1) {
            note(which + ": Vulkan 1.0 only (the shaders need 1.1)");
            continue;
        }
        if (computeFamily(all[i], nullptr) < 0) {
            note(which + ": no compute queue");
            continue;
        }
        VkPhysicalDeviceIDProperties id{};
        id.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES;
        VkPhysicalDeviceProperties2 p2{};
        p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
        p2.pNext = &id;
        vkGetPhysicalDeviceProperties2(all[i], &p2);
        std::array<std::uint8_t, VK_UUID_SIZE> uuid;
        std::copy(std::begin(id.deviceUUID), std::end(id.deviceUUID), uuid.begin());
        // a driver that leaves the UUID zero says nothing about which GPU it is: keep it
        const bool known = std::any_of(uuid.begin(), uuid.end(), [](std::uint8_t b) { return b != 0; });
        if (known && std::find(seen.begin(), seen.end(), uuid) != seen.end()) {
            note(which + ": the same GPU as an earlier device (listed twice by the loader)");
            continue;
        }
        seen.push_back(uuid);
        out.push_back(all[i]);
    }
    return out;
}

Expected<std::shared_ptr<Context>> Context::create(std::shared_ptr<Instance> instance, VkPhysicalDevice physical) {
    std::shared_ptr<Context> ctx(new Context);
    ctx->m_instance = std::move(instance);
    ctx->m_physical = physical;
    vkGetPhysicalDeviceProperties(physical, &ctx->m_props);
    vkGetPhysicalDeviceMemoryProperties(physical, &ctx->m_memory);
    const int family = computeFamily(physical, &ctx->m_timestampBits);
    if (family < 0)
        return makeError(std::string("Vulkan: ") + ctx->m_props.deviceName + " has no compute queue");
    ctx->m_queueFamily = std::uint32_t(family);
    if (ctx->m_props.limits.timestampPeriod <= 0)
        ctx->m_timestampBits = 0;

    // Shader core counts, where the vendor exposes them (Vulkan has no portable query).
    VkPhysicalDeviceProperties2 props2{};
    props2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    VkPhysicalDeviceShaderSMBuiltinsPropertiesNV sm{};
    sm.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_SM_BUILTINS_PROPERTIES_NV;
    VkPhysicalDeviceShaderCorePropertiesAMD amd{};
    amd.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_CORE_PROPERTIES_AMD;
    const bool hasSm = hasDeviceExtension(physical, VK_NV_SHADER_SM_BUILTINS_EXTENSION_NAME);
    const bool hasAmd = hasDeviceExtension(physical, VK_AMD_SHADER_CORE_PROPERTIES_EXTENSION_NAME);
    if (hasSm) {
        sm.pNext = props2.pNext;
        props2.pNext = &sm;
    }
    if (hasAmd) {
        amd.pNext = props2.pNext;
        props2.pNext = &amd;
    }
    if (hasSm || hasAmd) {
        vkGetPhysicalDeviceProperties2(physical, &props2);
        if (hasSm)
            ctx->m_computeUnits = int(sm.shaderSMCount);
        else
            ctx->m_computeUnits =
                int(amd.shaderEngineCount * amd.shaderArraysPerEngineCount * amd.computeUnitsPerShaderArray);
    }

    // fp16 (GemmF16): 16-bit storage buffers are Vulkan 1.1 core, fp16 arithmetic is
    // VK_KHR_shader_float16_int8 under our 1.1 instance (core only from 1.2). Both, or neither.
    VkPhysicalDevice16BitStorageFeatures storage16{};
    storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    VkPhysicalDeviceShaderFloat16Int8Features float16{};
    float16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
    const bool hasFloat16Ext = hasDeviceExtension(physical, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    VkPhysicalDeviceFeatures2 features2{};
    features2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    features2.pNext = &storage16;
    if (hasFloat16Ext)
        storage16.pNext = &float16; // query it only where the extension defines it
    vkGetPhysicalDeviceFeatures2(physical, &features2);
    ctx->m_float16 = hasFloat16Ext && float16.shaderFloat16 && storage16.storageBuffer16BitAccess;

    // Enable exactly those two features (the queried structs carry others the driver reported).
    VkPhysicalDevice16BitStorageFeatures enableStorage16{};
    enableStorage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    enableStorage16.storageBuffer16BitAccess = VK_TRUE;
    VkPhysicalDeviceShaderFloat16Int8Features enableFloat16{};
    enableFloat16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
    enableFloat16.shaderFloat16 = VK_TRUE;
    enableFloat16.pNext = &enableStorage16;
    std::vector<const char *> deviceExts;
    if (ctx->m_float16)
        deviceExts.push_back(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue{};
    queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue.queueFamilyIndex = ctx->m_queueFamily;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;
    VkDeviceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue;
    info.pNext = ctx->m_float16 ? &enableFloat16 : nullptr;
    info.enabledExtensionCount = std::uint32_t(deviceExts.size());
    info.ppEnabledExtensionNames = deviceExts.data();
    if (VkResult r = vkCreateDevice(physical, &info, nullptr, &ctx->m_device); r != VK_SUCCESS) {
        ctx->m_device = VK_NULL_HANDLE;
        return vkError(std::string("vkCreateDevice(") + ctx->m_props.deviceName + ")", r);
    }
    vkGetDeviceQueue(ctx->m_device, ctx->m_queueFamily, 0, &ctx->m_queue);
    const char *staging = std::getenv("SEASIDE_VK_STAGING");
    ctx->m_staged = staging && *staging ? std::string(staging) != "0"
                                        : ctx->m_props.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
    return ctx;
}

Context::~Context() {
    if (m_device) {
        vkDeviceWaitIdle(m_device);
        vkDestroyDevice(m_device, nullptr);
    }
}

std::uint64_t Context::deviceLocalBytes() const {
    std::uint64_t best = 0;
    for (std::uint32_t i = 0; i < m_memory.memoryHeapCount; ++i)
        if (m_memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            best = std::max<std::uint64_t>(best, m_memory.memoryHeaps[i].size);
    return best;
}

int Context::findMemoryType(std::uint32_t typeBits, VkMemoryPropertyFlags flags) const {
    for (std::uint32_t i = 0; i < m_memory.memoryTypeCount; ++i)
        if ((typeBits & (1u << i)) && (m_memory.memoryTypes[i].propertyFlags & flags) == flags)
            return int(i);
    return -1;
}

} // namespace seaside::vk
