#pragma once
// The Vulkan compute backend: one VulkanDevice per physical device with a compute queue
// (SEASIDE_VK_VISIBLE_DEVICES="0,2" restricts them by vkEnumeratePhysicalDevices index).
#include "backends/backend.h"
#include "backends/vulkan/buffer.h"
#include "backends/vulkan/context.h"
#include "backends/vulkan/pipeline.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seaside::vk {

class VulkanDevice : public backends::Device {
public:
    explicit VulkanDevice(std::shared_ptr<Context> ctx);
    ~VulkanDevice() override;

    const backends::DeviceProps &props() const override { return m_props; }
    bool supports(const backends::KernelCall &call, std::string *why = nullptr) const override;
    Expected<std::unique_ptr<backends::Buffer>> allocate(std::size_t bytes) override;
    Status run(const std::vector<backends::KernelCall> &calls, std::vector<double> *timings = nullptr) override;

    Context &context() { return *m_ctx; }

private:
    std::shared_ptr<Context> m_ctx;
    backends::DeviceProps m_props;
    std::mutex m_runMutex;            // one run() at a time: the pipeline cache and the recording
    std::unique_ptr<PipelineCache> m_pipelines;
    // The runs' check buffer (shaders/common/checks.glsl), kept between runs and grown as needed.
    std::unique_ptr<Buffer> m_checks;
};

} // namespace seaside::vk

namespace seaside::backends {

/// The process-wide Vulkan backend. Its devices() is empty, never a crash, when there is no
/// Vulkan loader, no driver or no device; the devices live until the process exits.
Backend *vulkanBackend();

} // namespace seaside::backends
