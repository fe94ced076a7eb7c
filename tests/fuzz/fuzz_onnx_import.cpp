// libFuzzer target: any bytes that parse as an ONNX ModelProto. importOnnxModel must answer with
// a graph or an error, never a crash. ONNX's own shape inference runs in a child process: when
// it crashes, ASan prints that child's report, and the fuzzer, rightly, goes on.
// A model it imports must stay editable: Seaside's own shape rules (which every studio edit and
// every re-import of an exported design run) must accept the graph, and the design must come
// back from its JSON export.
#include "graph/import/onnx_import.h"
#include "graph/shape_inference.h"
#include "store/design_json.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    onnx::ModelProto model;
    if (!model.ParseFromArray(data, int(size)))
        return 0;
    auto imported = seaside::graph::importOnnxModel(std::move(model));
    if (!imported)
        return 0;
    seaside::graph::Graph g = imported->graph;
    if (seaside::Status s = seaside::graph::inferShapes(g); !s) {
        std::fprintf(stderr, "an imported model fails Seaside's shape rules: %s\n", s.message().c_str());
        std::abort();
    }
    seaside::plan::Design d;
    d.graph = imported->graph;
    if (auto again = seaside::store::designFromJson(seaside::store::designToJson(d)); !again) {
        std::fprintf(stderr, "an imported model does not come back from its JSON export: %s\n", again.error().message.c_str());
        std::abort();
    }
    return 0;
}
