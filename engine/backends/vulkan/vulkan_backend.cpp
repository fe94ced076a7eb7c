#include "backends/vulkan/vulkan_backend.h"

#include "backends/call_contents.h"
#include "backends/vulkan/buffer.h"
#include "backends/vulkan/ops/ops.h"
#include "backends/vulkan/sequence.h"

#include <algorithm>
#include <limits>

namespace seaside::vk {

VulkanDevice::VulkanDevice(std::shared_ptr<Context> ctx)
    : m_ctx(std::move(ctx)), m_pipelines(std::make_unique<PipelineCache>(m_ctx)) {
    m_props.name = m_ctx->properties().deviceName;
    m_props.backend = "vulkan";
    m_props.memoryBytes = m_ctx->deviceLocalBytes();
    m_props.computeUnits = m_ctx->computeUnits();
    m_props.sparseTensorCores = false; // no Vulkan extension exposes 2:4 sparse MMA
}

VulkanDevice::~VulkanDevice() {
    if (m_ctx->device())
        vkDeviceWaitIdle(m_ctx->device());
    m_pipelines.reset(); // before the context goes
}

namespace {

bool fail(std::string *why, std::string message) {
    if (why)
        *why = std::move(message);
    return false;
}

} // namespace

bool VulkanDevice::supports(const backends::KernelCall &call, std::string *why) const {
    if (!backends::callShapeValid(call, why))
        return false;
    const char *op = backends::opName(call.op);
    // ssmm_samoyeds.comp holds up to 4 kept rows of up to 8 a group in registers
    if (call.g && (call.selection.kept > 4 || call.selection.group > 8))
        return fail(why, std::string(op) + ": Samoyeds' row selection " + std::to_string(call.selection.kept) + ":" +
                             std::to_string(call.selection.group) + " needs N <= 4 and M <= 8 on Vulkan");
    // The buffers the op binds (what it leaves unbound is never looked at).
    struct Bound {
        const backends::Buffer *buffer;
        const char *name;
        bool required;
    };
    std::vector<Bound> bound = {{call.a, "a", true}, {call.y, "y", true}};
    switch (call.op) {
    case backends::Op::Gemm:
    case backends::Op::GemmF16:
        bound.push_back({call.b, "b", true});
        break;
    case backends::Op::Ssmm24:
        bound.insert(bound.end(), {{call.b, "b", true}, {call.c, "c", true}, {call.d, "d", false}, {call.g, "g", false}});
        if (call.epilogue != backends::Epilogue::Store)
            bound.push_back({call.e, "e", true});
        if (call.epilogue == backends::Epilogue::GateScatterAdd)
            bound.push_back({call.f, "f", true});
        break;
    case backends::Op::CsrSpmm:
        bound.insert(bound.end(), {{call.b, "b", true}, {call.c, "c", true}, {call.d, "d", true}});
        break;
    case backends::Op::TopKGates:
        break;
    }
    const VkPhysicalDeviceLimits &limits = m_ctx->limits();
    for (const Bound &b : bound) {
        if (!b.buffer) {
            if (b.required)
                return fail(why, std::string(op) + ": buffer " + b.name + " is missing");
            continue;
        }
        const auto *vb = dynamic_cast<const Buffer *>(b.buffer);
        if (!vb || vb->context() != m_ctx.get())
            return fail(why, std::string(op) + ": buffer " + b.name + " is not a Vulkan buffer of " + m_props.name);
        if (vb->boundBytes() > limits.maxStorageBufferRange)
            return fail(why, std::string(op) + ": buffer " + b.name + " has " + std::to_string(vb->size()) +
                                 " bytes, past maxStorageBufferRange (" +
                                 std::to_string(limits.maxStorageBufferRange) + ")");
    }
    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max(); // shaders index with 32 bits
    if (call.m < 0 || call.n < 0 || call.k < 0 || call.nnz < 0 || call.yRows < 0 || call.m > kMax || call.n > kMax ||
        call.k > kMax || call.nnz > kMax || call.yRows > kMax)
        return fail(why, std::string(op) + ": sizes must lie in 0..2^31-1");
    if (call.op == backends::Op::Ssmm24 && call.k % 4)
        return fail(why, "Ssmm24: k = " + std::to_string(call.k) + " is not a multiple of 4");
    if (call.op == backends::Op::TopKGates && ops::topKGatesShader(*m_ctx, call) == ops::TopKShader::None)
        return fail(why, std::string(op) + ": top " + std::to_string(call.k) + " of " + std::to_string(call.n) +
                             " experts needs more than " + std::to_string(ops::kCpuLoopIterations) +
                             " loop iterations an invocation, after which " + m_props.name +
                             " (a CPU implementation: Mesa's llvmpipe) ends shader loops silently");
    if (call.op == backends::Op::GemmF16 && !m_ctx->float16())
        return fail(why, std::string(op) + ": " + m_props.name +
                             " lacks shaderFloat16 or storageBuffer16BitAccess (fp16 arithmetic and buffers)");
    // Every GPU Seaside targets exceeds these, but the Vulkan minimums (128 invocations, 4 storage
    // buffers a stage) are below what the shaders use: a device at the minimum refuses, not fails.
    const ops::Workgroup wg = ops::workgroupFor(call);
    if (wg.x * wg.y > limits.maxComputeWorkGroupInvocations || wg.x > limits.maxComputeWorkGroupSize[0] ||
        wg.y > limits.maxComputeWorkGroupSize[1])
        return fail(why, std::string(op) + ": workgroups of " + std::to_string(wg.x) + " x " + std::to_string(wg.y) +
                             " threads; the device allows " + std::to_string(limits.maxComputeWorkGroupInvocations));
    if (wg.storageBuffers > limits.maxPerStageDescriptorStorageBuffers ||
        wg.storageBuffers > limits.maxDescriptorSetStorageBuffers)
        return fail(why, std::string(op) + ": binds " + std::to_string(wg.storageBuffers) +
                             " storage buffers; the device allows " +
                             std::to_string(limits.maxPerStageDescriptorStorageBuffers) + " a stage");
    const ops::Groups g = ops::groupsFor(*m_ctx, call);
    const std::uint64_t counts[3] = {g.x, g.y, g.z};
    for (int i = 0; i < 3; ++i)
        if (counts[i] > limits.maxComputeWorkGroupCount[i])
            return fail(why, std::string(op) + ": needs " + std::to_string(counts[i]) + " workgroups in dimension " +
                                 std::to_string(i) + ", the device allows " +
                                 std::to_string(limits.maxComputeWorkGroupCount[i]));
    return true;
}

Expected<std::unique_ptr<backends::Buffer>> VulkanDevice::allocate(std::size_t bytes) {
    auto buf = Buffer::create(m_ctx, bytes);
    if (!buf)
        return buf.error();
    return std::unique_ptr<backends::Buffer>(std::move(*buf));
}

Status VulkanDevice::run(const std::vector<backends::KernelCall> &calls, std::vector<double> *timings) {
    std::lock_guard<std::mutex> lock(m_runMutex);
    for (std::size_t i = 0; i < calls.size(); ++i) {
        // the shape (supports), then what only the contents tell: a CSR row too long for the device
        std::string why;
        bool runs = supports(calls[i], &why);
        if (runs && calls[i].op == backends::Op::CsrSpmm)
            if (Status s = ops::csrSpmmWithinLoopLimit(*m_ctx, calls[i]); !s) {
                runs = false;
                why = s.message();
            }
        if (!runs)
            return makeError("Vulkan " + m_props.name + ": call " + std::to_string(i) +
                             (calls[i].label.empty() ? "" : " (" + calls[i].label + ")") + ": " + why);
    }
    if (calls.empty()) {
        if (timings)
            timings->clear();
        return {};
    }
    // The check buffer (backends/call_contents.h): a word per call, then Y-row bitmaps.
    const backends::DeviceChecks layout = backends::deviceChecksFor(calls);
    const std::uint64_t checkBytes = layout.words * 4;
    std::vector<ops::CallChecks> checks(calls.size());
    if (layout.any) {
        if (layout.words > 0xffffffff || checkBytes > m_ctx->limits().maxStorageBufferRange)
            return makeError("Vulkan " + m_props.name + ": the run's contents checks need " + std::to_string(checkBytes) +
                             " bytes, past maxStorageBufferRange (" +
                             std::to_string(m_ctx->limits().maxStorageBufferRange) + "); run fewer scatter-adds at once");
        if (!m_checks || m_checks->size() < checkBytes) {
            m_checks.reset();
            auto buffer = Buffer::create(m_ctx, checkBytes);
            if (!buffer)
                return makeError("Vulkan " + m_props.name + ": the run's check buffer: " + buffer.error().message);
            m_checks = std::move(*buffer);
        }
        for (std::size_t i = 0; i < calls.size(); ++i)
            checks[i] = {m_checks.get(), std::uint32_t(i), std::uint32_t(layout.seenWord[i])};
    }

    // the descriptor pool: room for the run's widest binding set in every set (drivers that enforce
    // pool sizes fail a set past it with VK_ERROR_OUT_OF_POOL_MEMORY; lavapipe does not)
    std::uint32_t bindings = 1;
    for (const backends::KernelCall &c : calls)
        bindings = std::max(bindings, ops::workgroupFor(c).storageBuffers);
    auto seq = Sequence::create(*m_ctx, std::uint32_t(calls.size()), bindings);
    if (!seq)
        return seq.error();
    if (layout.any)
        if (Status s = (*seq)->fill(*m_checks, checkBytes, 0); !s)
            return s;
    for (std::size_t i = 0; i < calls.size(); ++i)
        if (Status s = ops::record(*m_pipelines, **seq, calls[i], checks[i]); !s)
            return makeError("Vulkan: call " + std::to_string(i) + ": " + s.message());
    if (Status s = (*seq)->submit(timings); !s || !layout.any)
        return s;
    std::vector<std::uint32_t> flags(calls.size());
    if (Status s = m_checks->download(flags.data(), flags.size() * 4); !s)
        return makeError("Vulkan " + m_props.name + ": reading the contents checks back: " + s.message());
    return backends::reportFlaggedCall("Vulkan " + m_props.name, calls, flags);
}

namespace {

class VulkanBackend : public backends::Backend {
public:
    VulkanBackend() {
        auto instance = Instance::create();
        if (!instance) { // no loader, no driver: no devices
            m_leftOut.push_back(instance.error().message);
            return;
        }
        for (VkPhysicalDevice physical : (*instance)->computeDevices(&m_leftOut)) {
            auto ctx = Context::create(*instance, physical);
            if (ctx)
                m_devices.push_back(std::make_unique<VulkanDevice>(std::move(*ctx)));
            else
                m_leftOut.push_back(ctx.error().message);
        }
    }
    std::vector<std::string> leftOut() override { return m_leftOut; }
    const char *name() const override { return "vulkan"; }
    std::vector<backends::Device *> devices() override {
        std::vector<backends::Device *> out;
        for (auto &d : m_devices)
            out.push_back(d.get());
        return out;
    }

private:
    std::vector<std::unique_ptr<VulkanDevice>> m_devices;
    std::vector<std::string> m_leftOut;
};

} // namespace

} // namespace seaside::vk

namespace seaside::backends {

Backend *vulkanBackend() {
    // Never destroyed: tearing Vulkan down from static destructors races the driver's own
    // unloading, and buffers still alive would outlive their device.
    static Backend *backend = new vk::VulkanBackend;
    return backend;
}

} // namespace seaside::backends
