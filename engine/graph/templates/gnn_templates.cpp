// Two-layer node-classification GNNs (GCN, GraphSAGE, GIN) on three graph sizes. Full-graph:
// the input is every node's features [num_nodes, in_features]; the batch option is ignored.
#include "graph/templates/template_builder.h"

namespace seaside::graph::templates {

namespace {

struct Dataset {
    std::string key;   // "cora"
    std::string title; // "Cora"
    std::int64_t nodes = 0;
    std::int64_t edges = 0; // directed edges (each undirected edge counted twice)
    std::int64_t features = 0;
    std::int64_t classes = 0;
    std::int64_t hidden = 0;
    std::string source;
};

struct Variant {
    std::string key;   // "gcn", the GnnConv variant
    std::string id;    // "gcn", the template id prefix
    std::string title; // "GCN"
    std::string paper;
};

const std::vector<Dataset> &datasets() {
    static const std::vector<Dataset> d{
        {"cora", "Cora", 2708, 10556, 1433, 7, 128, "Planetoid Cora (Yang et al. 2016; PyG Planetoid)"},
        {"reddit", "Reddit", 232965, 114615892, 602, 41, 128, "Reddit (Hamilton et al. 2017; PyG Reddit)"},
        {"ogbn-products", "ogbn-products", 2449029, 123718280, 100, 47, 256,
         "OGB ogbn-products (Hu et al. 2020, arXiv:2005.00687)"},
    };
    return d;
}

const std::vector<Variant> &variants() {
    static const std::vector<Variant> v{
        {"gcn", "gcn", "GCN", "Kipf & Welling 2017, arXiv:1609.02907"},
        {"sage", "sage", "GraphSAGE", "Hamilton et al. 2017, arXiv:1706.02216"},
        {"gin", "gin", "GIN", "Xu et al. 2019, arXiv:1810.00826"},
    };
    return v;
}

Expected<Graph> buildGnn(const Variant &v, const Dataset &d) {
    TemplateBuilder b;
    const NodeId x = b.input("node_features", {d.nodes, d.features}, DType::F32);
    const NodeId conv1 = b.add(OpKind::GnnConv, "conv1",
                               attrs().s("variant", v.key).i("out_features", d.hidden).i("num_edges", d.edges), {x});
    const NodeId act = b.add(OpKind::Activation, "relu1", attrs().s("function", "relu"), {conv1});
    const NodeId conv2 = b.add(OpKind::GnnConv, "conv2",
                               attrs().s("variant", v.key).i("out_features", d.classes).i("num_edges", d.edges), {act});
    b.output("logits", conv2);
    return b.finish();
}

} // namespace

std::vector<TemplateEntry> gnnTemplates() {
    std::vector<TemplateEntry> out;
    for (const Variant &v : variants())
        for (const Dataset &d : datasets()) {
            TemplateInfo info{v.id + "-" + d.key, v.title + " on " + d.title, "gnn",
                              v.title + " (" + v.paper + "), 2 layers, hidden " + std::to_string(d.hidden) + "; " +
                                  d.source};
            out.push_back({std::move(info), [v, d](const TemplateOptions &) { return buildGnn(v, d); }});
        }
    return out;
}

} // namespace seaside::graph::templates
