#pragma once
#include "core/expected.h"
#include "graph/import/onnx_import.h"
#include "plan/design.h"

#include <string>
#include <vector>

namespace seaside::store {

/// Any file a user can hand Seaside: a .seaside project (SQLite), a design JSON, or an ONNX model
/// (told apart by content, then by extension). Warnings go to `warnings`: an ONNX import's, or a
/// project's or design's that the shape rules refuse and that opens as saved (without `warnings`,
/// such a design is an error).
Expected<plan::Design> loadDesign(const std::string &path, const graph::OnnxImportOptions &onnx = {},
                                  std::vector<std::string> *warnings = nullptr);

} // namespace seaside::store
