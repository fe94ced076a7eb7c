// libFuzzer target: any bytes that parse as an ONNX ModelProto. importOnnxModel must answer with
// a graph or an error, never a crash. ONNX's own shape inference runs in a child process: when
// it crashes, ASan prints that child's report, and the fuzzer, rightly, goes on.
// A model it imports must stay editable: the design must come back from its JSON export, whose
// import runs Seaside's own shape rules (as every studio edit does). The importer runs them too,
// and refuses what they refuse: this is the fuzzer that found the need.
#include "graph/import/onnx_import.h"
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
    seaside::plan::Design d;
    d.graph = imported->graph;
    if (auto again = seaside::store::designFromJson(seaside::store::designToJson(d)); !again) {
        std::fprintf(stderr, "an imported model does not come back from its JSON export: %s\n", again.error().message.c_str());
        std::abort();
    }
    return 0;
}
