#pragma once
#include "graph/op_kind.h"

#include <optional>
#include <string>

namespace seaside::graph {

/// The OpKind an ONNX operator maps to; nullopt for operators Seaside keeps as custom nodes.
/// Control flow (If, Loop, Scan) is reported separately by isOnnxControlFlow.
std::optional<OpKind> onnxOpKind(const std::string &opType);
bool isOnnxControlFlow(const std::string &opType);

} // namespace seaside::graph
