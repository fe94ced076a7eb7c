#include "backends/vulkan/pipeline.h"

namespace seaside::vk {

namespace {

void destroy(VkDevice dev, Pipeline &p) {
    if (p.pipeline)
        vkDestroyPipeline(dev, p.pipeline, nullptr);
    if (p.layout)
        vkDestroyPipelineLayout(dev, p.layout, nullptr);
    if (p.setLayout)
        vkDestroyDescriptorSetLayout(dev, p.setLayout, nullptr);
    p = Pipeline{};
}

std::string cacheKey(const PipelineDesc &d) {
    std::string key = d.shader;
    for (std::uint32_t v : d.spec) { // two appends: ":" + std::string&& trips GCC 12's -Wrestrict (bug 105329)
        key += ':';
        key += std::to_string(v);
    }
    return key;
}

} // namespace

PipelineCache::~PipelineCache() {
    for (auto &[key, p] : m_pipelines)
        destroy(m_ctx->device(), *p);
}

Expected<const Pipeline *> PipelineCache::get(const PipelineDesc &desc) {
    const std::string key = cacheKey(desc);
    if (auto it = m_pipelines.find(key); it != m_pipelines.end())
        return static_cast<const Pipeline *>(it->second.get());

    std::size_t bytes = 0;
    const std::uint32_t *code = embeddedShader(desc.shader.c_str(), &bytes);
    if (!code || bytes == 0 || bytes % 4)
        return makeError("Vulkan: no embedded SPIR-V for shader '" + desc.shader + "'");
    if (desc.pushBytes > m_ctx->limits().maxPushConstantsSize)
        return makeError("Vulkan: shader '" + desc.shader + "' needs " + std::to_string(desc.pushBytes) +
                         " bytes of push constants, the device offers " +
                         std::to_string(m_ctx->limits().maxPushConstantsSize));
    const VkDevice dev = m_ctx->device();
    auto p = std::make_unique<Pipeline>();
    p->bindings = desc.bindings;
    p->pushBytes = desc.pushBytes;
    auto fail = [&](const char *what, VkResult r) -> Expected<const Pipeline *> {
        destroy(dev, *p);
        return vkError(std::string(what) + "(" + desc.shader + ")", r);
    };

    std::vector<VkDescriptorSetLayoutBinding> bindings(desc.bindings);
    for (std::uint32_t i = 0; i < desc.bindings; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setInfo{};
    setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    setInfo.bindingCount = desc.bindings;
    setInfo.pBindings = bindings.data();
    if (VkResult r = vkCreateDescriptorSetLayout(dev, &setInfo, nullptr, &p->setLayout); r != VK_SUCCESS) {
        p->setLayout = VK_NULL_HANDLE; // undefined after a failure; fail() destroys what p holds
        return fail("vkCreateDescriptorSetLayout", r);
    }

    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.pushBytes};
    VkPipelineLayoutCreateInfo layoutInfo{};
    layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &p->setLayout;
    layoutInfo.pushConstantRangeCount = desc.pushBytes ? 1 : 0;
    layoutInfo.pPushConstantRanges = desc.pushBytes ? &range : nullptr;
    if (VkResult r = vkCreatePipelineLayout(dev, &layoutInfo, nullptr, &p->layout); r != VK_SUCCESS) {
        p->layout = VK_NULL_HANDLE;
        return fail("vkCreatePipelineLayout", r);
    }

    VkShaderModuleCreateInfo moduleInfo{};
    moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    moduleInfo.codeSize = bytes;
    moduleInfo.pCode = code;
    VkShaderModule module = VK_NULL_HANDLE;
    if (VkResult r = vkCreateShaderModule(dev, &moduleInfo, nullptr, &module); r != VK_SUCCESS)
        return fail("vkCreateShaderModule", r); // module is a local, never destroyed here

    std::vector<VkSpecializationMapEntry> entries(desc.spec.size());
    for (std::size_t i = 0; i < desc.spec.size(); ++i)
        entries[i] = {std::uint32_t(i), std::uint32_t(i * sizeof(std::uint32_t)), sizeof(std::uint32_t)};
    VkSpecializationInfo specInfo{std::uint32_t(entries.size()), entries.data(),
                                  desc.spec.size() * sizeof(std::uint32_t), desc.spec.data()};
    VkComputePipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module;
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = desc.spec.empty() ? nullptr : &specInfo;
    info.layout = p->layout;
    const VkResult r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &info, nullptr, &p->pipeline);
    vkDestroyShaderModule(dev, module, nullptr);
    if (r != VK_SUCCESS) {
        p->pipeline = VK_NULL_HANDLE;
        return fail("vkCreateComputePipelines", r);
    }

    const Pipeline *out = p.get();
    m_pipelines.emplace(key, std::move(p));
    return out;
}

} // namespace seaside::vk
