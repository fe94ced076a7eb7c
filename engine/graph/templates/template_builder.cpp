#include "graph/templates/template_builder.h"

#include "graph/shape_inference.h"


namespace seaside::graph::templates {

AttrsBuilder &AttrsBuilder::i(const std::string &name, std::int64_t v) {
    m_attrs.set(name, v);
    return *this;
}

AttrsBuilder &AttrsBuilder::d(const std::string &name, double v) {
    m_attrs.set(name, v);
    return *this;
}

AttrsBuilder &AttrsBuilder::s(const std::string &name, std::string v) {
    m_attrs.set(name, std::move(v));
    return *this;
}

AttrsBuilder &AttrsBuilder::v(const std::string &name, std::vector<std::int64_t> v) {
    m_attrs.set(name, std::move(v));
    return *this;
}

void TemplateBuilder::fail(const std::string &message) {
    if (m_error.empty())
        m_error = message;
}

NodeId TemplateBuilder::addNode(Node n, const std::vector<Port> &inputs) {
    if (n.name.empty())
        fail("a " + std::string(opKindName(n.kind)) + " node has no name");
    else if (m_graph.findByName(n.name))
        fail("two nodes are named '" + n.name + "'");
    const std::string name = n.name;
    const NodeId id = m_graph.addNode(std::move(n));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        Status s = m_graph.addEdge(Edge{inputs[i].node, inputs[i].port, id, int(i)});
        if (!s)
            fail("node '" + name + "': " + s.message());
    }
    return id;
}

NodeId TemplateBuilder::input(const std::string &name, std::vector<std::int64_t> shape, DType dtype) {
    Node n;
    n.name = name;
    n.kind = OpKind::Input;
    n.outputs = {TensorDesc{std::move(shape), dtype}};
    return addNode(std::move(n), {});
}

NodeId TemplateBuilder::add(OpKind kind, const std::string &name, Attrs a, std::initializer_list<Port> inputs) {
    return add(kind, name, std::move(a), std::vector<Port>(inputs));
}

NodeId TemplateBuilder::add(OpKind kind, const std::string &name, Attrs a, const std::vector<Port> &inputs) {
    Node n;
    n.name = name;
    n.kind = kind;
    n.attrs = std::move(a);
    return addNode(std::move(n), inputs);
}

NodeId TemplateBuilder::custom(const std::string &name, const std::string &opType, Attrs a, TensorDesc output,
                               std::initializer_list<Port> inputs) {
    Node n;
    n.name = name;
    n.kind = OpKind::Custom;
    n.opType = opType;
    n.attrs = std::move(a);
    n.outputs = {std::move(output)};
    return addNode(std::move(n), std::vector<Port>(inputs));
}

NodeId TemplateBuilder::constant(const std::string &name, TensorDesc value) {
    Node n;
    n.name = name;
    n.kind = OpKind::Constant;
    n.outputs = {std::move(value)};
    return addNode(std::move(n), {});
}

NodeId TemplateBuilder::block(const std::string &name, std::shared_ptr<const Graph> body, std::int64_t repeat,
                              std::initializer_list<Port> inputs) {
    if (!body)
        fail("block '" + name + "' has no body");
    if (repeat < 1)
        fail("block '" + name + "' repeats " + std::to_string(repeat) + " times");
    Node n;
    n.name = name;
    n.kind = OpKind::Block;
    n.body = std::move(body);
    n.repeat = repeat;
    return addNode(std::move(n), std::vector<Port>(inputs));
}

NodeId TemplateBuilder::output(const std::string &name, Port src) { return add(OpKind::Output, name, Attrs{}, {src}); }

Expected<Graph> TemplateBuilder::finish() {
    if (!m_error.empty())
        return makeError(m_error);
    if (Status s = inferShapes(m_graph); !s) // a block's body follows what reaches the block
        return makeError(s.message());
    for (const Node &n : m_graph.nodes()) {
        if (n.outputs.empty())
            return makeError("node '" + n.name + "' has no output shape after shape inference");
        for (const TensorDesc &t : n.outputs)
            if (!t.known())
                return makeError("node '" + n.name + "' has an unknown output shape " + shapeString(t.shape));
    }
    return std::move(m_graph);
}

Expected<std::shared_ptr<const Graph>> TemplateBuilder::finishBody() {
    auto g = finish();
    if (!g)
        return g.error();
    return std::shared_ptr<const Graph>(std::make_shared<Graph>(std::move(*g)));
}

Status checkOptions(const std::string &id, const TemplateOptions &opts) {
    if (opts.batch < 1)
        return makeError("template '" + id + "': batch must be at least 1, got " + std::to_string(opts.batch));
    if (opts.seqLen < 0)
        return makeError("template '" + id + "': seqLen must be 0 (the default) or positive, got " +
                         std::to_string(opts.seqLen));
    return {};
}

} // namespace seaside::graph::templates
