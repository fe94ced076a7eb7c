#pragma once
#include "core/expected.h"

namespace onnx {
class ModelProto;
}

namespace seaside::graph {

/// ONNX's shape inference on `model`, run in a child process (Linux fork). ONNX 1.12's inference
/// dereferences null on some malformed models (found by fuzzing: a LayerNormalization axis far out
/// of range, a ConvInteger whose input and weight ranks differ), and such a crash must not take the
/// studio, and the user's unsaved work, with it. The child sends back only what inference adds
/// (the graph's value_info and outputs); a crash, an exception or a child that hangs past
/// `timeoutSeconds` becomes an error. Where fork fails, inference runs in this process.
Status inferShapesIsolated(onnx::ModelProto &model, int timeoutSeconds = 120);

} // namespace seaside::graph
