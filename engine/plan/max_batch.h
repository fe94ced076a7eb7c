#pragma once
#include "plan/design.h"

#include <string>

namespace seaside::plan {

/// How many samples fit on a device: (capacity - resident weights) / bytes per sample, where a
/// sample needs its share of the largest activation working set plus its KV cache.
struct BatchCapacity {
    double weightBytes = 0;    // bytes resident
    double perSampleBytes = 0; // bytes per sample: activations + KV cache
    double batch = 1;          // the batch the design is at
    long long maxBatch = 0;    // 0 when even the weights do not fit
};

/// For the layers placed on `deviceId`, with every layer's "sparsity" option set to `sparsity`
/// ("" keeps each layer's own; "dense", "2:4", "samoyeds").
BatchCapacity maxBatch(const Design &d, const std::string &deviceId, const std::string &sparsity = {});

} // namespace seaside::plan
