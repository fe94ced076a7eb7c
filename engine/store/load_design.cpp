#include "store/load_design.h"

#include "store/design_json.h"
#include "store/project_store.h"

#include <filesystem>

namespace seaside::store {

Expected<plan::Design> loadDesign(const std::string &path, const graph::OnnxImportOptions &onnx,
                                  std::vector<std::string> *warnings) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return makeError(path + ": no such file");
    if (looksLikeSqlite(path))
        return openProject(path, warnings);
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext == ".json")
        return readDesignJson(path, warnings);
    if (ext == ".onnx") {
        auto imp = graph::importOnnxFile(path, onnx);
        if (!imp)
            return imp.error();
        plan::Design d;
        d.name = std::filesystem::path(path).stem().string();
        d.graph = std::move(imp->graph);
        d.metadata = std::move(imp->metadata);
        d.metadata["source"] = std::filesystem::path(path).filename().string();
        if (warnings)
            *warnings = std::move(imp->warnings);
        return d;
    }
    return makeError(path + ": not a Seaside project, design JSON (.json) or ONNX model (.onnx)");
}

} // namespace seaside::store
