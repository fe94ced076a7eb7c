#pragma once
#include "core/expected.h"
#include "graph/graph.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
}

namespace seaside::graph {

struct OnnxImportOptions {
    /// Concrete shapes for graph inputs with dynamic dimensions (`--input NAME=1,3,640,640`).
    std::map<std::string, std::vector<std::int64_t>> inputShapes;
};

struct OnnxImport {
    Graph graph;
    std::map<std::string, std::string> metadata; // onnx.ir_version, onnx.opsets, onnx.producer
    std::vector<std::string> warnings;           // unknown ops kept as custom nodes, ...
};

/// Parses with the ONNX library, runs ONNX shape inference and maps operators onto OpKinds.
/// Weights held in initializers and in Constant nodes count as parameters; unknown operators
/// are kept as custom nodes with a warning; a graph input with a dynamic dimension the options
/// do not fix, a truncated file, a cycle or a control-flow node is an error naming it.
Expected<OnnxImport> importOnnxFile(const std::string &path, const OnnxImportOptions &opts = {});
Expected<OnnxImport> importOnnxModel(onnx::ModelProto model, const OnnxImportOptions &opts = {});

/// Parses "NAME=d0,d1,..." as given on the command line.
Expected<std::pair<std::string, std::vector<std::int64_t>>> parseInputShape(const std::string &spec);

} // namespace seaside::graph
