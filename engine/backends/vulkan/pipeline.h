#pragma once
// Compute pipelines, compiled on first use and cached by shader name + specialisation constants
// (ONNX Runtime's program manager). Each pipeline has its own descriptor set layout: storage
// buffers at bindings 0..N-1, and one push-constant range.
#include "backends/vulkan/context.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seaside::vk {

struct PipelineDesc {
    std::string shader;                  // stem of shaders/<shader>.comp
    std::uint32_t bindings = 0;          // storage buffers at bindings 0..bindings-1
    std::uint32_t pushBytes = 0;         // size of the push-constant struct
    std::vector<std::uint32_t> spec;     // specialisation constants, constant_id 0..spec.size()-1
};

struct Pipeline {
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    std::uint32_t bindings = 0;
    std::uint32_t pushBytes = 0;
};

class PipelineCache {
public:
    explicit PipelineCache(std::shared_ptr<Context> ctx) : m_ctx(std::move(ctx)) {}
    ~PipelineCache();
    PipelineCache(const PipelineCache &) = delete;
    PipelineCache &operator=(const PipelineCache &) = delete;

    /// The pipeline for `desc`, built on first use. Not thread-safe: the device's run mutex
    /// (VulkanDevice::run, its only caller) serialises it.
    Expected<const Pipeline *> get(const PipelineDesc &desc);

private:
    std::shared_ptr<Context> m_ctx;
    std::map<std::string, std::unique_ptr<Pipeline>> m_pipelines;
};

} // namespace seaside::vk
