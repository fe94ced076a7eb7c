#pragma once
// Parametric model templates: ready-made graphs of well-known models (MoE LLMs, GNNs, CNNs,
// transformers, an EEG encoder) whose shapes and parameter counts follow the public configs
// named in each template's `source`. Every graph is shape-inferred before it is returned.
#include "core/expected.h"
#include "graph/graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace seaside::graph::templates {

struct TemplateInfo {
    std::string id;     // "mixtral-8x7b"
    std::string title;  // "Mixtral 8x7B"
    std::string family; // "moe", "gnn", "cnn", "transformer", "eeg"
    std::string source; // the public config or paper the figures come from
};

/// Every template, in a stable order (grouped by family).
const std::vector<TemplateInfo> &templateList();

struct TemplateOptions {
    std::int64_t batch = 1;  // ignored by the GNNs (full-graph: the batch is the whole graph)
    std::int64_t seqLen = 0; // 0 = the template's default. Tokens for the LLMs and BERT, samples
                             // for the EEG encoder; ViT-B/16 only accepts 197; CNNs and GNNs ignore it
};

/// Builds the template `id` with its shapes inferred. An unknown id, or options the template
/// cannot take (batch < 1, a BERT sequence longer than its 512 positions), is an Error.
Expected<Graph> buildTemplate(const std::string &id, const TemplateOptions &opts = {});

} // namespace seaside::graph::templates
