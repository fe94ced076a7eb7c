#pragma once
// Internal helpers shared by the template builders: a fluent attribute builder and a small
// graph builder that adds named nodes, wires their inputs and checks the result.
#include "core/expected.h"
#include "graph/graph.h"
#include "graph/templates/templates.h"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace seaside::graph::templates {

/// Attributes spelled out with typed setters, so literals never hit the variant's ambiguities:
///   attrs().i("out_features", 768).s("function", "gelu").v("kernel", {3, 3})
class AttrsBuilder {
public:
    AttrsBuilder &i(const std::string &name, std::int64_t v);
    AttrsBuilder &d(const std::string &name, double v);
    AttrsBuilder &s(const std::string &name, std::string v);
    AttrsBuilder &v(const std::string &name, std::vector<std::int64_t> v);
    operator Attrs() const { return m_attrs; } // NOLINT: meant to convert implicitly
    const Attrs &get() const { return m_attrs; }

private:
    Attrs m_attrs;
};

inline AttrsBuilder attrs() { return {}; }

/// An output port of a node; a bare NodeId means port 0.
struct Port {
    NodeId node = 0;
    int port = 0;
    Port(NodeId n, int p = 0) : node(n), port(p) {} // NOLINT: implicit on purpose
};

/// Builds one graph (a model's top level, or a block's body). Errors (an edge to a missing node,
/// a duplicate name) are remembered and reported by finish(), so builders can chain add() calls
/// without checking each one.
class TemplateBuilder {
public:
    /// An Input node with a declared output tensor.
    NodeId input(const std::string &name, std::vector<std::int64_t> shape, DType dtype);

    /// A node of `kind` whose input port i is fed by inputs[i].
    NodeId add(OpKind kind, const std::string &name, Attrs a, std::initializer_list<Port> inputs);
    NodeId add(OpKind kind, const std::string &name, Attrs a, const std::vector<Port> &inputs);

    /// An op shape inference cannot derive (e.g. a Gather picking the CLS token): its outputs are
    /// declared here and kept as is.
    NodeId custom(const std::string &name, const std::string &opType, Attrs a, TensorDesc output,
                  std::initializer_list<Port> inputs);

    /// A Constant (a learned tensor used as is, e.g. ViT's position embedding): its elements count
    /// as parameters.
    NodeId constant(const std::string &name, TensorDesc value);

    /// A Block node running `body` `repeat` times; its outputs come from the body's Output nodes.
    NodeId block(const std::string &name, std::shared_ptr<const Graph> body, std::int64_t repeat,
                 std::initializer_list<Port> inputs);

    /// An Output node fed by `src`.
    NodeId output(const std::string &name, Port src);

    /// Runs shape inference and checks that every node has known output shapes and that each
    /// block's inputs match its body's declared inputs. Consumes the builder.
    Expected<Graph> finish();
    /// finish(), wrapped for use as a Block body.
    Expected<std::shared_ptr<const Graph>> finishBody();

private:
    NodeId addNode(Node n, const std::vector<Port> &inputs);
    void fail(const std::string &message);

    Graph m_graph;
    std::string m_error;
};

// --- shared validation -----------------------------------------------------------------------

/// Error unless batch >= 1 and seqLen >= 0.
Status checkOptions(const std::string &id, const TemplateOptions &opts);

// --- the registry's per-family tables --------------------------------------------------------

using TemplateBuildFn = std::function<Expected<Graph>(const TemplateOptions &)>;

struct TemplateEntry {
    TemplateInfo info;
    TemplateBuildFn build;
};

std::vector<TemplateEntry> moeTemplates();
std::vector<TemplateEntry> gnnTemplates();
std::vector<TemplateEntry> cnnTemplates();
std::vector<TemplateEntry> transformerTemplates();
std::vector<TemplateEntry> eegTemplates();

} // namespace seaside::graph::templates
