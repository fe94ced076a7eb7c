// libFuzzer target: any bytes that parse as an ONNX ModelProto. importOnnxModel must answer with
// a graph or an error, never a crash. ONNX's own shape inference runs in a child process: when
// it crashes, ASan prints that child's report, and the fuzzer, rightly, goes on.
#include "graph/import/onnx_import.h"

#include <onnx/onnx_pb.h>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    onnx::ModelProto model;
    if (!model.ParseFromArray(data, int(size)))
        return 0;
    (void)seaside::graph::importOnnxModel(std::move(model));
    return 0;
}
