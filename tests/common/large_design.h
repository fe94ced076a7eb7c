#pragma once
// The 10,000-node design of the benchmarks: residual MLP blocks (linear -> gelu -> linear -> add),
// 2,500 of them, flat.
#include "graph/shape_inference.h"
#include "plan/design.h"

namespace seaside::testing {

inline plan::Design residualMlp(int blocks = 2500) {
    using namespace seaside::graph;
    plan::Design d;
    d.name = "large";
    Node x;
    x.kind = OpKind::Input;
    x.name = "x";
    x.outputs = {TensorDesc{{32, 1024}, DType::F16}};
    NodeId prev = d.graph.addNode(x);
    for (int i = 0; i < blocks; ++i) {
        auto add = [&](OpKind k, const std::string &name, Attrs a) {
            Node n;
            n.kind = k;
            n.name = name + std::to_string(i);
            n.attrs = std::move(a);
            return d.graph.addNode(n);
        };
        Attrs up, down, act;
        up.set("out_features", std::int64_t(4096));
        down.set("out_features", std::int64_t(1024));
        act.set("function", std::string("gelu"));
        const NodeId a = add(OpKind::Linear, "up", up), g = add(OpKind::Activation, "gelu", act);
        const NodeId b = add(OpKind::Linear, "down", down), s = add(OpKind::Elementwise, "add", {});
        d.graph.addEdge({prev, 0, a, 0});
        d.graph.addEdge({a, 0, g, 0});
        d.graph.addEdge({g, 0, b, 0});
        d.graph.addEdge({b, 0, s, 0});
        d.graph.addEdge({prev, 0, s, 1});
        prev = s;
    }
    inferShapes(d.graph);
    return d;
}

} // namespace seaside::testing
