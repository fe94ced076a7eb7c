#include "backends/backend.h"

#include "backends/cpu/cpu_backend.h"
#ifdef SEASIDE_HAVE_VULKAN
#include "backends/vulkan/vulkan_backend.h"
#endif
#ifdef SEASIDE_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

namespace seaside::backends {

std::vector<Backend *> availableBackends() {
    std::vector<Backend *> all{cpuBackend()};
#ifdef SEASIDE_HAVE_VULKAN
    all.push_back(vulkanBackend());
#endif
#ifdef SEASIDE_HAVE_CUDA
    all.push_back(cudaBackend());
#endif
    return all;
}

std::vector<Device *> availableDevices() {
    std::vector<Device *> out;
    for (Backend *b : availableBackends())
        for (Device *d : b->devices())
            out.push_back(d);
    return out;
}

} // namespace seaside::backends
