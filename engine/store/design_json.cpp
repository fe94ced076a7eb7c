#include "store/design_json.h"

#include "graph/block_split.h"
#include "graph/templates/templates.h"
#include "hw/catalogue.h"
#include "plan/design_check.h"
#include "store/body_numbering.h"

#include <cmath>
#include <fnmatch.h>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>

namespace seaside::store {

using nlohmann::json;
using namespace seaside::graph;

namespace {
// A number from the file as a T, or nothing when it is not a whole number that fits: nlohmann's
// get<T>() of a number outside T's range is undefined behaviour, not an exception.
template <typename T> std::optional<T> fitInteger(const json &v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        return std::in_range<T>(u) ? std::optional<T>(T(u)) : std::nullopt;
    }
    if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        return std::in_range<T>(i) ? std::optional<T>(T(i)) : std::nullopt;
    }
    if (v.is_number_float()) { // 2.0 is accepted as 2; NaN and infinities fail every test
        const double d = v.get<double>(), limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
        if (d == std::trunc(d) && d >= (std::is_signed_v<T> ? -limit : 0.0) && d < limit)
            return T(d);
    }
    return std::nullopt;
}

// A field the design must hold as a whole number: anything else throws the json::type_error that
// designFromJson and graphFromJson report as a malformed design, naming the field.
template <typename T> T integer(const json &v, const std::string &what) {
    if (auto x = fitInteger<T>(v))
        return *x;
    throw json::type_error::create(302, what + " must be a whole number of at most " +
                                            std::to_string(std::numeric_limits<T>::digits) + " bits, got " + v.dump(),
                                   &v);
}

template <typename T> T integerOr(const json &object, const char *key, T fallback) {
    return object.is_object() && object.contains(key) ? integer<T>(object[key], std::string("'") + key + "'") : fallback;
}
} // namespace

json attrsToJson(const Attrs &a) {
    json j = json::object();
    for (const auto &entry : a.all()) // not a structured binding: clang before 16 cannot capture one
        std::visit([&](const auto &x) { j[entry.first] = x; }, entry.second);
    return j;
}

Expected<Attrs> attrsFromJson(const json &j) {
    Attrs a;
    if (!j.is_object())
        return a;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const json &v = *it;
        if (v.is_number_integer()) {
            const auto i = fitInteger<std::int64_t>(v);
            if (!i)
                return makeError("attribute '" + it.key() + "' = " + v.dump() + " does not fit in 64 bits");
            a.set(it.key(), *i);
        } else if (v.is_number()) {
            a.set(it.key(), v.get<double>());
        } else if (v.is_string()) {
            a.set(it.key(), v.get<std::string>());
        } else if (v.is_array()) {
            std::vector<std::int64_t> values;
            for (const json &e : v) {
                const auto i = fitInteger<std::int64_t>(e);
                if (!i)
                    return makeError("attribute '" + it.key() + "' holds " + e.dump() + ", not a 64-bit whole number");
                values.push_back(*i);
            }
            a.set(it.key(), values);
        }
    }
    return a;
}

json tensorToJson(const TensorDesc &t) { return {{"shape", t.shape}, {"dtype", std::string(dtypeName(t.dtype))}}; }

Expected<TensorDesc> tensorFromJson(const json &j) {
    TensorDesc t;
    if (!j.is_object() || !j.contains("shape") || !j["shape"].is_array())
        return makeError("a tensor needs a 'shape' array");
    for (const json &d : j["shape"]) {
        const auto dim = d.is_number_integer() ? fitInteger<std::int64_t>(d) : std::nullopt;
        if (!dim)
            return makeError("a tensor shape holds " + d.dump() + ", not a 64-bit integer");
        t.shape.push_back(*dim);
    }
    auto dt = dtypeFromName(j.value("dtype", std::string("fp32")));
    if (!dt)
        return makeError("unknown dtype '" + j.value("dtype", std::string()) + "'");
    t.dtype = *dt;
    return t;
}

namespace {

// A graph's nodes and edges; a block names its body by number (BodyNumbering: listed once each,
// nested bodies first).
json graphJson(const Graph &g, const BodyNumbering &bodies) {
    json nodes = json::array();
    for (const Node &n : g.nodes()) {
        json jn{{"id", n.id}, {"name", n.name}, {"kind", std::string(opKindName(n.kind))}};
        if (!n.opType.empty())
            jn["op_type"] = n.opType;
        if (!n.attrs.all().empty())
            jn["attrs"] = attrsToJson(n.attrs);
        jn["outputs"] = json::array();
        for (const auto &t : n.outputs)
            jn["outputs"].push_back(tensorToJson(t));
        if (n.body) {
            jn["body"] = bodies.of(n.body.get());
            jn["repeat"] = n.repeat;
        }
        nodes.push_back(jn);
    }
    json edges = json::array();
    for (const Edge &e : g.edges())
        edges.push_back({e.src, e.srcPort, e.dst, e.dstPort});
    return {{"nodes", nodes}, {"edges", edges}};
}

Expected<Graph> graphFromJsonWith(const json &j, const std::vector<std::shared_ptr<const Graph>> &bodies) {
    Graph g;
    if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_array())
        return makeError("a graph needs a 'nodes' array");
    for (const json &jn : j["nodes"]) {
        Node n;
        n.id = integerOr<NodeId>(jn, "id", 0u); // 0 or none: the graph picks one
        n.name = jn.value("name", std::string());
        if (Status s = plan::checkNodeId(n.id, "node '" + n.name + "'"); n.id != 0 && !s)
            return makeError(s.message());
        const std::string kind = jn.value("kind", std::string());
        auto k = opKindFromName(kind);
        if (!k)
            return makeError("node '" + n.name + "' has an unknown kind '" + kind + "'");
        n.kind = *k;
        n.opType = jn.value("op_type", std::string());
        auto attrs = attrsFromJson(jn.value("attrs", json::object()));
        if (!attrs)
            return makeError("node '" + n.name + "': " + attrs.error().message);
        n.attrs = std::move(*attrs);
        for (const json &t : jn.value("outputs", json::array())) {
            auto td = tensorFromJson(t);
            if (!td)
                return makeError("node '" + n.name + "': " + td.error().message);
            n.outputs.push_back(*td);
        }
        if (jn.contains("body")) {
            const int b = integer<int>(jn["body"], "block '" + n.name + "': 'body'");
            if (b < 0 || b >= int(bodies.size()))
                return makeError("block '" + n.name + "' names body " + std::to_string(b) + ", which does not exist");
            n.body = bodies[std::size_t(b)];
            n.repeat = integerOr<std::int64_t>(jn, "repeat", 1);
            if (n.repeat < 1)
                return makeError("block '" + n.name + "' has repeat " + std::to_string(n.repeat) + "; it must be >= 1");
        }
        const NodeId wanted = n.id;
        if (n.id != 0 && g.node(n.id))
            return makeError("node id " + std::to_string(n.id) + " is used twice");
        if (g.addNode(std::move(n)) != wanted && wanted != 0)
            return makeError("node id " + std::to_string(wanted) + " could not be kept");
    }
    for (const json &je : j.value("edges", json::array())) {
        if (!je.is_array() || je.size() != 4)
            return makeError("an edge must be [src, src_port, dst, dst_port], got " + je.dump());
        Edge e{integer<NodeId>(je[0], "an edge's source"), integer<int>(je[1], "an edge's source port"),
               integer<NodeId>(je[2], "an edge's destination"), integer<int>(je[3], "an edge's destination port")};
        if (Status s = g.addEdge(e); !s)
            return makeError(s.message());
    }
    return g;
}

} // namespace

json graphToJson(const Graph &g) {
    const BodyNumbering bodies(g);
    json top = graphJson(g, bodies);
    if (!bodies.bodies().empty()) {
        top["bodies"] = json::array();
        for (const Graph *body : bodies.bodies())
            top["bodies"].push_back(graphJson(*body, bodies));
    }
    return top;
}

Expected<Graph> graphFromJson(const json &j) try {
    std::vector<std::shared_ptr<const Graph>> bodies;
    for (const json &b : j.value("bodies", json::array())) {
        auto body = graphFromJsonWith(b, bodies); // a body only names bodies listed before it
        if (!body)
            return makeError("block body " + std::to_string(bodies.size()) + ": " + body.error().message);
        bodies.push_back(std::make_shared<const Graph>(std::move(*body)));
    }
    return graphFromJsonWith(j, bodies);
} catch (const json::exception &e) {
    return makeError(std::string("malformed graph: ") + e.what());
}

namespace {

Expected<hw::Platform> platformFromJson(const json &j) {
    hw::Platform p;
    const auto &cat = hw::defaultCatalogue();
    for (const json &jd : j.value("devices", json::array())) {
        hw::DeviceInstance d;
        d.id = jd.value("id", std::string());
        if (d.id.empty())
            return makeError("a platform device has no 'id'");
        if (jd.contains("spec")) {
            auto spec = hw::deviceFromJson(jd["spec"]);
            if (!spec)
                return makeError("platform device '" + d.id + "': " + spec.error().message);
            d.spec = *spec;
        } else {
            const std::string ref = jd.value("catalogue", std::string());
            const hw::DeviceSpec *spec = cat.device(ref);
            if (!spec)
                return makeError("platform device '" + d.id + "' names catalogue entry '" + ref +
                                 "', which the device catalogue does not have");
            d.spec = *spec;
        }
        auto options = attrsFromJson(jd.value("options", json::object()));
        if (!options)
            return makeError("platform device '" + d.id + "': " + options.error().message);
        d.options = std::move(*options);
        p.devices.push_back(d);
    }
    for (const json &jl : j.value("links", json::array())) {
        hw::LinkInstance l;
        l.id = jl.value("id", std::string());
        l.a = jl.value("a", std::string());
        l.b = jl.value("b", std::string());
        if (jl.contains("spec")) {
            auto spec = hw::linkFromJson(jl["spec"]);
            if (!spec)
                return makeError("platform link '" + l.id + "': " + spec.error().message);
            l.spec = *spec;
        } else {
            const std::string ref = jl.value("catalogue", std::string());
            const hw::LinkSpec *spec = cat.link(ref);
            if (!spec)
                return makeError("platform link '" + l.id + "' names catalogue entry '" + ref +
                                 "', which the catalogue does not have");
            l.spec = *spec;
        }
        p.links.push_back(l);
    }
    if (Status s = p.validate(); !s)
        return makeError("platform: " + s.message());
    return p;
}

Expected<Graph> modelFromJson(const json &j) {
    if (j.contains("graph"))
        return graphFromJson(j["graph"]);
    if (!j.contains("model") || !j["model"].contains("template"))
        return makeError("a design needs a 'graph' or a 'model' with a 'template'");
    const json &m = j["model"];
    templates::TemplateOptions opts;
    opts.batch = integerOr<std::int64_t>(m, "batch", 1);
    opts.seqLen = integerOr<std::int64_t>(m, "seq_len", 0);
    auto g = templates::buildTemplate(m["template"].get<std::string>(), opts);
    if (!g)
        return g;
    // "split_blocks": {"encoder.layers": 6} spreads a repeated block over several devices.
    const json split = m.value("split_blocks", json::object());
    for (auto it = split.begin(); it != split.end(); ++it)
        if (Status s = splitBlock(*g, it.key(), integer<int>(*it, "split_blocks '" + it.key() + "'")); !s)
            return makeError(s.message());
    return g;
}

// Placement and layout refer to top-level nodes by name, so hand-written designs stay readable.
Status placementFromJson(const json &j, plan::Design &d) {
    for (const json &r : j.value("placement", json::array())) {
        plan::LayerConfig cfg;
        cfg.device = r.value("device", std::string());
        cfg.dtype = r.value("dtype", std::string());
        auto options = attrsFromJson(r.value("options", json::object()));
        if (!options)
            return makeError("placement rule: " + options.error().message);
        cfg.options = std::move(*options);
        if (!cfg.device.empty() && !d.platform.device(cfg.device))
            return makeError("placement names device '" + cfg.device + "', which is not on the platform");
        if (!cfg.dtype.empty() && !dtypeFromName(cfg.dtype))
            return makeError("placement names unknown dtype '" + cfg.dtype + "'");
        const std::string exact = r.value("node", std::string());
        const std::string glob = r.value("match", std::string());
        int matched = 0;
        for (const Node &n : d.graph.nodes()) {
            const bool hit = exact.empty() ? fnmatch(glob.c_str(), n.name.c_str(), 0) == 0 : n.name == exact;
            // Globs place layers; an input or output is placed only by name (where data enters or leaves).
            const bool boundary = n.kind == OpKind::Input || n.kind == OpKind::Output;
            if (hit && (!boundary || !exact.empty())) {
                d.placement[n.id] = cfg;
                ++matched;
            }
        }
        if (matched == 0)
            return makeError("placement rule '" + (exact.empty() ? glob : exact) + "' matches no layer");
    }
    const json layout = j.value("layout", json::object());
    for (auto it = layout.begin(); it != layout.end(); ++it) {
        const Node *n = d.graph.findByName(it.key());
        if (n && it->is_array() && it->size() == 2)
            d.layout[n->id] = {(*it)[0].get<double>(), (*it)[1].get<double>()};
    }
    return {};
}

} // namespace

namespace {
Expected<plan::Design> designFromJsonUnchecked(const json &j, std::vector<std::string> *warnings) {
    if (!j.is_object() || j.value("format", std::string()) != "seaside-design")
        return makeError("not a Seaside design: the top-level \"format\" must be \"seaside-design\"");
    if (const int version = integerOr<int>(j, "version", 0); version > 1)
        return makeError("the design was written by a newer Seaside (format version " + std::to_string(version) +
                         ", this one reads 1)");
    plan::Design d;
    d.name = j.value("name", std::string());
    const json metadata = j.value("metadata", json::object());
    for (auto it = metadata.begin(); it != metadata.end(); ++it)
        if (it->is_string())
            d.metadata[it.key()] = it->get<std::string>();
    auto g = modelFromJson(j);
    if (!g)
        return g.error();
    d.graph = std::move(*g);
    auto p = platformFromJson(j.value("platform", json::object()));
    if (!p)
        return p.error();
    d.platform = std::move(*p);
    if (Status s = placementFromJson(j, d); !s)
        return makeError(s.message());
    if (Status s = plan::settleLoadedDesign(d, warnings); !s)
        return makeError(s.message());
    return d;
}

} // namespace

// nlohmann reports a field of the wrong type by throwing: turn that into an error naming it.
Expected<plan::Design> designFromJson(const json &j, std::vector<std::string> *warnings) {
    try {
        return designFromJsonUnchecked(j, warnings);
    } catch (const json::exception &e) {
        return makeError(std::string("malformed design: ") + e.what());
    }
}

json designToJson(const plan::Design &d) {
    json j{{"format", "seaside-design"}, {"version", 1}, {"name", d.name}};
    j["metadata"] = d.metadata;
    j["graph"] = graphToJson(d.graph);
    json devices = json::array(), links = json::array();
    for (const auto &dev : d.platform.devices)
    {
        json jd{{"id", dev.id}, {"spec", hw::deviceToJson(dev.spec)}};
        if (!dev.options.all().empty())
            jd["options"] = attrsToJson(dev.options);
        devices.push_back(jd);
    }
    for (const auto &l : d.platform.links)
        links.push_back({{"id", l.id}, {"a", l.a}, {"b", l.b}, {"spec", hw::linkToJson(l.spec)}});
    j["platform"] = {{"devices", devices}, {"links", links}};
    json placement = json::array();
    for (const auto &[id, cfg] : d.placement) {
        const Node *n = d.graph.node(id);
        if (!n)
            continue;
        json r{{"node", n->name}, {"device", cfg.device}};
        if (!cfg.dtype.empty())
            r["dtype"] = cfg.dtype;
        if (!cfg.options.all().empty())
            r["options"] = attrsToJson(cfg.options);
        placement.push_back(r);
    }
    j["placement"] = placement;
    json layout = json::object();
    for (const auto &[id, pos] : d.layout)
        if (const Node *n = d.graph.node(id))
            layout[n->name] = {pos.x, pos.y};
    j["layout"] = layout;
    return j;
}

Expected<plan::Design> readDesignJson(const std::string &path, std::vector<std::string> *warnings) {
    std::ifstream in(path);
    if (!in)
        return makeError(path + ": cannot open the file");
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded())
        return makeError(path + ": not valid JSON");
    auto d = designFromJson(j, warnings);
    if (!d)
        return makeError(path + ": " + d.error().message);
    return d;
}

Status writeDesignJson(const plan::Design &d, const std::string &path) {
    std::ofstream out(path);
    if (!out)
        return makeError(path + ": cannot write the file");
    out << designToJson(d).dump(2) << '\n';
    return out ? Status{} : Status{makeError(path + ": write failed")};
}

} // namespace seaside::store
