#include "design_document.h"

#include "graph/shape_inference.h"
#include "hw/catalogue.h"
#include "graph/templates/templates.h"
#include "graph_commands.h"
#include "plan/auto_layout.h"
#include "store/design_json.h"
#include "store/load_design.h"
#include "store/project_store.h"

#include <QFileInfo>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <QUndoCommand>

namespace seaside::views {

DesignDocument::DesignDocument(QObject *parent) : QObject(parent) {}

bool DesignDocument::load(const QString &path, const graph::OnnxImportOptions &onnx, QString *error, QStringList *warnings) {
    std::vector<std::string> found;
    auto d = store::loadDesign(path.toStdString(), onnx, warnings ? &found : nullptr);
    if (!d) {
        if (error)
            *error = QString::fromStdString(d.error().message);
        return false;
    }
    for (const std::string &w : found)
        warnings->append(QString::fromStdString(w));
    const bool project = store::looksLikeSqlite(path.toStdString());
    reset(std::move(*d), project ? path : QString(), QFileInfo(path).fileName());
    return true;
}

void DesignDocument::reset(plan::Design design, const QString &path, const QString &sourceName) {
    m_design = std::move(design);
    m_path = path;
    m_source = sourceName;
    ensureLayout();
    m_undo.clear();
    emit designReset();
}

bool DesignDocument::saveCopy(const QString &path, QString *error) const {
    plan::Design copy = m_design;
    copy.metadata["recovery.of"] = displayName().toStdString(); // what to call it if it is ever recovered
    if (Status s = store::saveProject(copy, path.toStdString()); !s) {
        if (error)
            *error = QString::fromStdString(s.message());
        return false;
    }
    return true;
}

void DesignDocument::detachFromFile(const QString &fallbackName) {
    m_path.clear();
    auto it = m_design.metadata.find("recovery.of");
    const QString name = it == m_design.metadata.end() ? fallbackName : QString::fromStdString(it->second);
    if (it != m_design.metadata.end())
        m_design.metadata.erase(it);
    m_source = tr("%1 (recovered)").arg(name);
    // an unclean state that undo cannot reach: the recovered work is unsaved until saved
    m_undo.resetClean();
    emit designReset();
}

QString DesignDocument::displayName() const {
    if (!m_path.isEmpty())
        return QFileInfo(m_path).fileName();
    if (!m_source.isEmpty())
        return m_source;
    return m_design.name.empty() ? tr("untitled") : QString::fromStdString(m_design.name);
}

bool DesignDocument::save(const QString &path, QString *error) {
    if (Status s = store::saveProject(m_design, path.toStdString()); !s) {
        if (error)
            *error = QString::fromStdString(s.message());
        return false;
    }
    m_path = path;
    m_undo.setClean();
    return true;
}

namespace {
// Swaps a layer's config (absent = no placement entry) between two states.
class LayerConfigCommand : public QUndoCommand {
public:
    LayerConfigCommand(DesignDocument *doc, graph::NodeId id, std::optional<plan::LayerConfig> before,
                       std::optional<plan::LayerConfig> after, const QString &text)
        : QUndoCommand(text), m_doc(doc), m_id(id), m_before(std::move(before)), m_after(std::move(after)) {}
    void undo() override { m_doc->applyLayerConfig(m_id, m_before); }
    void redo() override { m_doc->applyLayerConfig(m_id, m_after); }

private:
    DesignDocument *m_doc;
    graph::NodeId m_id;
    std::optional<plan::LayerConfig> m_before, m_after;
};
} // namespace

void DesignDocument::setLayerDevice(graph::NodeId id, const std::string &deviceId) {
    const graph::Node *n = m_design.graph.node(id);
    if (!n)
        return;
    auto it = m_design.placement.find(id);
    std::optional<plan::LayerConfig> before;
    if (it != m_design.placement.end())
        before = it->second;
    plan::LayerConfig next = before.value_or(plan::LayerConfig{});
    if (next.device == deviceId && before)
        return;
    next.device = deviceId;
    const QString text = deviceId.empty() ? tr("Unplace %1").arg(QString::fromStdString(n->name))
                                          : tr("Place %1 on %2").arg(QString::fromStdString(n->name), QString::fromStdString(deviceId));
    m_undo.push(new LayerConfigCommand(this, id, before, next, text));
}

void DesignDocument::applyLayerConfig(graph::NodeId id, const std::optional<plan::LayerConfig> &cfg) {
    if (cfg)
        m_design.placement[id] = *cfg;
    else
        m_design.placement.erase(id);
    emit layersChanged({id});
}

void DesignDocument::newDesign() {
    plan::Design d;
    d.name = "untitled";
    graph::Node in;
    in.kind = graph::OpKind::Input;
    in.name = "input";
    in.outputs = {graph::TensorDesc{{1, 256}, graph::DType::F32}};
    d.graph.addNode(in);
    reset(std::move(d), QString());
}

bool DesignDocument::newFromTemplate(const std::string &templateId, QString *error) {
    auto g = graph::templates::buildTemplate(templateId);
    if (!g) {
        if (error)
            *error = QString::fromStdString(g.error().message);
        return false;
    }
    plan::Design d;
    d.name = templateId;
    d.metadata["template"] = templateId;
    d.graph = std::move(*g);
    reset(std::move(d), QString());
    return true;
}

void DesignDocument::setLayerConfig(graph::NodeId id, const plan::LayerConfig &cfg, const QString &text) {
    auto it = m_design.placement.find(id);
    std::optional<plan::LayerConfig> before;
    if (it != m_design.placement.end()) {
        if (it->second == cfg)
            return;
        before = it->second;
    }
    m_undo.push(new LayerConfigCommand(this, id, before, cfg, text));
}

namespace {
// A platform edit swaps the whole platform and placement: both are small beside the graph.
class PlatformCommand : public QUndoCommand {
public:
    PlatformCommand(DesignDocument *doc, hw::Platform before, hw::Platform after, std::map<graph::NodeId, plan::LayerConfig> placeBefore,
                    std::map<graph::NodeId, plan::LayerConfig> placeAfter, const QString &text)
        : QUndoCommand(text), m_doc(doc), m_before(std::move(before)), m_after(std::move(after)), m_placeBefore(std::move(placeBefore)),
          m_placeAfter(std::move(placeAfter)) {}
    void undo() override { m_doc->applyPlatform(m_before, m_placeBefore); }
    void redo() override { m_doc->applyPlatform(m_after, m_placeAfter); }

private:
    DesignDocument *m_doc;
    hw::Platform m_before, m_after;
    std::map<graph::NodeId, plan::LayerConfig> m_placeBefore, m_placeAfter;
};
} // namespace

Status DesignDocument::addDevice(const hw::DeviceInstance &device) {
    auto checked = hw::deviceFromJson(hw::deviceToJson(device.spec)); // impossible figures are refused by name
    if (!checked)
        return checked.error();
    hw::Platform next = m_design.platform;
    next.devices.push_back(device);
    if (Status s = next.validate(); !s)
        return s;
    m_undo.push(new PlatformCommand(this, m_design.platform, next, m_design.placement, m_design.placement,
                                    tr("Add device %1").arg(QString::fromStdString(device.id))));
    return {};
}

void DesignDocument::removeDevice(const std::string &id) {
    hw::Platform next = m_design.platform;
    std::erase_if(next.devices, [&](const hw::DeviceInstance &d) { return d.id == id; });
    std::erase_if(next.links, [&](const hw::LinkInstance &l) { return l.a == id || l.b == id; });
    auto placement = m_design.placement;
    for (auto &[node, cfg] : placement)
        if (cfg.device == id)
            cfg.device.clear();
    m_undo.push(new PlatformCommand(this, m_design.platform, next, m_design.placement, placement,
                                    tr("Remove device %1").arg(QString::fromStdString(id))));
}

Status DesignDocument::addLink(const hw::LinkInstance &link) {
    hw::Platform next = m_design.platform;
    next.links.push_back(link);
    if (Status s = next.validate(); !s)
        return s;
    m_undo.push(new PlatformCommand(this, m_design.platform, next, m_design.placement, m_design.placement,
                                    tr("Link %1 and %2").arg(QString::fromStdString(link.a), QString::fromStdString(link.b))));
    return {};
}

Status DesignDocument::editDevice(const std::string &id, const hw::DeviceSpec &spec) {
    hw::Platform next = m_design.platform;
    auto it = std::find_if(next.devices.begin(), next.devices.end(), [&](const hw::DeviceInstance &d) { return d.id == id; });
    if (it == next.devices.end())
        return makeError("no device " + id + " on the platform");
    // the catalogue's own checks: a negative bandwidth or zero power is refused, naming the field
    auto checked = hw::deviceFromJson(hw::deviceToJson(spec));
    if (!checked)
        return checked.error();
    it->spec = *checked;
    m_undo.push(new PlatformCommand(this, m_design.platform, next, m_design.placement, m_design.placement,
                                    tr("Edit device %1").arg(QString::fromStdString(id))));
    return {};
}

void DesignDocument::applyPlatform(const hw::Platform &platform, const std::map<graph::NodeId, plan::LayerConfig> &placement) {
    m_design.platform = platform;
    m_design.placement = placement;
    emit platformChanged();
}

void DesignDocument::setLayerDevices(const std::vector<graph::NodeId> &ids, const std::string &deviceId) {
    m_undo.beginMacro(tr("Place %n layer(s) on %1", nullptr, int(ids.size())).arg(QString::fromStdString(deviceId)));
    for (graph::NodeId id : ids) {
        const graph::Node *n = m_design.graph.node(id);
        if (n && n->kind != graph::OpKind::Input && n->kind != graph::OpKind::Output)
            setLayerDevice(id, deviceId);
    }
    m_undo.endMacro();
}

namespace {
// What a new layer dropped from the palette starts with: a plausible size the user then edits.
graph::Attrs defaultAttrs(graph::OpKind k) {
    using graph::OpKind;
    graph::Attrs a;
    switch (k) {
    case OpKind::Linear:
        a.set("out_features", std::int64_t(256));
        break;
    case OpKind::Conv:
        a.set("out_channels", std::int64_t(64));
        a.set("kernel", std::vector<std::int64_t>{3, 3});
        a.set("pads", std::vector<std::int64_t>{1, 1, 1, 1});
        break;
    case OpKind::Pool:
        a.set("mode", std::string("max"));
        a.set("kernel", std::vector<std::int64_t>{2, 2});
        a.set("stride", std::vector<std::int64_t>{2, 2});
        break;
    case OpKind::Activation:
        a.set("function", std::string("relu"));
        break;
    case OpKind::Attention:
        a.set("heads", std::int64_t(8));
        break;
    case OpKind::MoE:
        a.set("experts", std::int64_t(8));
        a.set("top_k", std::int64_t(2));
        a.set("intermediate", std::int64_t(1024));
        break;
    case OpKind::GnnConv:
        a.set("variant", std::string("gcn"));
        a.set("out_features", std::int64_t(64));
        a.set("num_edges", std::int64_t(10000));
        break;
    case OpKind::Embedding:
        a.set("vocab", std::int64_t(32000));
        a.set("dim", std::int64_t(512));
        break;
    case OpKind::Reshape:
        a.set("shape", std::vector<std::int64_t>{0, -1});
        break;
    default:
        break;
    }
    return a;
}

bool positiveSizeRequired(const std::string &key) {
    static const char *kSizes[] = {"out_features", "out_channels", "kernel", "stride", "dilation", "groups", "heads", "kv_heads",
                                   "head_dim", "experts", "top_k", "intermediate", "hidden", "vocab", "dim", "repeat"};
    for (const char *k : kSizes)
        if (key == k)
            return true;
    return false;
}
} // namespace

std::string DesignDocument::uniqueName(const std::string &base) const {
    for (int i = 1;; ++i) {
        const std::string name = base + std::to_string(i);
        if (!m_design.graph.findByName(name))
            return name;
    }
}

NodeSnapshot DesignDocument::snapshot(graph::NodeId id) const {
    NodeSnapshot s;
    s.node = *m_design.graph.node(id);
    s.index = m_design.graph.indexOf(id);
    for (const auto &e : m_design.graph.edges())
        if (e.src == id || e.dst == id)
            s.edges.push_back(e);
    if (auto it = m_design.placement.find(id); it != m_design.placement.end())
        s.config = it->second;
    if (auto it = m_design.layout.find(id); it != m_design.layout.end())
        s.position = it->second;
    return s;
}

graph::NodeId DesignDocument::addLayer(graph::OpKind kind, plan::Position at) {
    NodeSnapshot s;
    s.node.kind = kind;
    s.node.name = uniqueName(std::string(graph::opKindName(kind)));
    s.node.attrs = defaultAttrs(kind);
    if (kind == graph::OpKind::Input)
        s.node.outputs = {graph::TensorDesc{{1, 256}, graph::DType::F32}};
    // the id it will get, so that undo and redo agree on it
    const graph::NodeId next = m_design.graph.unusedIds(1).at(0);
    s.node.id = next;
    s.position = at;
    m_undo.push(new AddNodesCommand(this, {s}, {}, tr("Add %1").arg(QString::fromStdString(s.node.name))));
    return next;
}

void DesignDocument::removeNodes(const std::vector<graph::NodeId> &ids) {
    std::vector<NodeSnapshot> snaps;
    for (graph::NodeId id : ids)
        if (m_design.graph.node(id))
            snaps.push_back(snapshot(id));
    if (snaps.empty())
        return;
    // an edge between two removed nodes is in both snapshots: keep it once
    std::vector<graph::Edge> seen;
    for (auto &s : snaps) {
        std::erase_if(s.edges, [&](const graph::Edge &e) { return std::find(seen.begin(), seen.end(), e) != seen.end(); });
        seen.insert(seen.end(), s.edges.begin(), s.edges.end());
    }
    m_undo.push(new RemoveNodesCommand(this, snaps, tr("Delete %n node(s)", nullptr, int(snaps.size()))));
}

Status DesignDocument::connectNodes(graph::NodeId src, graph::NodeId dst) {
    const graph::Node *a = m_design.graph.node(src), *b = m_design.graph.node(dst);
    if (!a || !b || src == dst)
        return makeError("pick two different nodes to connect");
    if (m_design.graph.reachable(dst, src))
        return makeError("connecting " + a->name + " to " + b->name + " would close a cycle");
    int port = 0;
    for (const auto &e : m_design.graph.inEdges(dst))
        port = std::max(port, e.dstPort + 1);
    const graph::Edge edge{src, 0, dst, port};
    graph::Graph trial = m_design.graph;
    if (Status s = trial.addEdge(edge); !s)
        return s;
    if (Status s = graph::inferShapes(trial); !s)
        return makeError("refused: " + s.message());
    m_undo.push(new ConnectCommand(this, edge, true, tr("Connect %1 to %2").arg(QString::fromStdString(a->name), QString::fromStdString(b->name))));
    return {};
}

std::string DesignDocument::copyNodes(const std::vector<graph::NodeId> &ids) const {
    graph::Graph sub;
    nlohmann::json layout = nlohmann::json::object(), placement = nlohmann::json::object();
    for (graph::NodeId id : ids) {
        const graph::Node *n = m_design.graph.node(id);
        if (!n)
            continue;
        sub.addNode(*n);
        if (auto it = m_design.layout.find(id); it != m_design.layout.end())
            layout[std::to_string(id)] = {it->second.x, it->second.y};
        if (auto it = m_design.placement.find(id); it != m_design.placement.end())
            placement[std::to_string(id)] = {{"device", it->second.device}, {"dtype", it->second.dtype},
                                              {"options", store::attrsToJson(it->second.options)}};
    }
    for (const auto &e : m_design.graph.edges())
        if (sub.node(e.src) && sub.node(e.dst))
            sub.addEdge(e);
    return nlohmann::json{{"seaside-clipboard", 1}, {"graph", store::graphToJson(sub)}, {"layout", layout}, {"placement", placement}}.dump();
}

std::vector<graph::NodeId> DesignDocument::pasteNodes(const std::string &clip, plan::Position offset, QString *error) {
    const nlohmann::json j = nlohmann::json::parse(clip, nullptr, false);
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return std::vector<graph::NodeId>{};
    };
    if (j.is_discarded() || !j.contains("seaside-clipboard"))
        return fail(tr("the clipboard holds no Seaside nodes"));
    auto sub = store::graphFromJson(j["graph"]);
    if (!sub)
        return fail(QString::fromStdString(sub.error().message));
    auto next = [ids = m_design.graph.unusedIds(sub->size()), used = std::size_t(0)]() mutable { return ids.at(used++); };
    std::map<graph::NodeId, graph::NodeId> fresh;
    std::vector<NodeSnapshot> snaps;
    std::set<std::string> taken;
    for (const graph::Node &n : sub->nodes()) {
        NodeSnapshot s;
        s.node = n;
        s.node.id = fresh[n.id] = next();
        std::string name = n.name + "_copy";
        for (int i = 2; m_design.graph.findByName(name) || taken.count(name); ++i)
            name = n.name + "_copy" + std::to_string(i);
        taken.insert(name);
        s.node.name = name;
        const std::string key = std::to_string(n.id);
        if (j["layout"].contains(key))
            s.position = plan::Position{j["layout"][key][0].get<double>() + offset.x, j["layout"][key][1].get<double>() + offset.y};
        if (j["placement"].contains(key)) {
            const auto &p = j["placement"][key];
            auto options = store::attrsFromJson(p["options"]); // our own clipboard's: an error would be a bug
            plan::LayerConfig cfg{p.value("device", std::string()), p.value("dtype", std::string()),
                                  options ? std::move(*options) : graph::Attrs{}};
            if (!cfg.device.empty() && !m_design.platform.device(cfg.device))
                cfg.device.clear(); // pasted into a design without that device
            if (!cfg.dtype.empty() && !graph::dtypeFromName(cfg.dtype))
                cfg.dtype.clear(); // not a precision Seaside knows (a clipboard from elsewhere): the graph's
            s.config = cfg;
        }
        snaps.push_back(s);
    }
    std::vector<graph::Edge> edges;
    for (const auto &e : sub->edges())
        edges.push_back({fresh[e.src], e.srcPort, fresh[e.dst], e.dstPort});
    if (snaps.empty())
        return {};
    // A clipboard from elsewhere may hold what the shape rules refuse, which no save would then
    // write: refused here. Blocks pasted take their bodies as the rules settle them.
    graph::Graph trial = m_design.graph;
    for (const auto &s : snaps)
        trial.addNode(s.node);
    for (const auto &e : edges)
        if (Status st = trial.addEdge(e); !st)
            return fail(QString::fromStdString(st.message()));
    if (Status st = graph::inferShapesWithBodies(trial); !st)
        return fail(tr("refused: %1").arg(QString::fromStdString(st.message())));
    for (auto &s : snaps)
        s.node = *trial.node(s.node.id);
    m_undo.push(new AddNodesCommand(this, snaps, edges, tr("Paste %n node(s)", nullptr, int(snaps.size()))));
    std::vector<graph::NodeId> ids;
    for (const auto &s : snaps)
        ids.push_back(s.node.id);
    return ids;
}

std::vector<graph::NodeId> DesignDocument::duplicateNodes(const std::vector<graph::NodeId> &ids) {
    return pasteNodes(copyNodes(ids), {40, 40});
}

namespace {
class RepeatCommand : public QUndoCommand {
public:
    RepeatCommand(DesignDocument *doc, graph::NodeId id, std::int64_t before, std::int64_t after)
        : QUndoCommand(QObject::tr("Repeat block %1 times").arg(after)), m_doc(doc), m_id(id), m_before(before), m_after(after) {}
    void undo() override { m_doc->applyRepeat(m_id, m_before); }
    void redo() override { m_doc->applyRepeat(m_id, m_after); }

private:
    DesignDocument *m_doc;
    graph::NodeId m_id;
    std::int64_t m_before, m_after;
};
} // namespace

Expected<graph::NodeId> DesignDocument::groupIntoBlock(const std::vector<graph::NodeId> &ids) {
    using graph::Edge;
    using graph::OpKind;
    const graph::Graph &g = m_design.graph;
    std::set<graph::NodeId> inside;
    for (graph::NodeId id : ids) {
        const graph::Node *n = g.node(id);
        if (!n)
            continue;
        if (n->kind == OpKind::Input || n->kind == OpKind::Output)
            return makeError("inputs and outputs of the model stay outside blocks");
        inside.insert(id);
    }
    if (inside.empty())
        return makeError("select the layers to group");
    // the block's ports: each outside tensor read inside, each inside tensor read outside
    std::vector<std::pair<graph::NodeId, int>> sources, sinks;
    std::vector<Edge> inEdges, outEdges, internal;
    for (const Edge &e : g.edges()) {
        const bool s = inside.count(e.src), d = inside.count(e.dst);
        if (s && d)
            internal.push_back(e);
        else if (d) {
            inEdges.push_back(e);
            if (std::find(sources.begin(), sources.end(), std::pair(e.src, e.srcPort)) == sources.end())
                sources.push_back({e.src, e.srcPort});
        } else if (s) {
            outEdges.push_back(e);
            if (std::find(sinks.begin(), sinks.end(), std::pair(e.src, e.srcPort)) == sinks.end())
                sinks.push_back({e.src, e.srcPort});
        }
    }
    for (const Edge &e : outEdges)
        for (graph::NodeId member : inside)
            if (g.reachable(e.dst, member))
                return makeError("the selection leaves the flow and comes back into it: grouping it would make a cycle");
    auto body = std::make_shared<graph::Graph>();
    for (graph::NodeId id : inside)
        body->addNode(*g.node(id));
    // ids new to the top graph, and so to the body too (its nodes come from the top graph)
    auto next = [ids = g.unusedIds(sources.size() + sinks.size() + 1), used = std::size_t(0)]() mutable { return ids.at(used++); };
    std::vector<graph::NodeId> inputIds, outputIds;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        graph::Node in;
        in.kind = OpKind::Input;
        in.name = "in" + std::to_string(i);
        in.id = next();
        in.outputs = {*g.edgeTensor({sources[i].first, sources[i].second, 0, 0})};
        inputIds.push_back(body->addNode(in));
    }
    for (std::size_t i = 0; i < sinks.size(); ++i) {
        graph::Node out;
        out.kind = OpKind::Output;
        out.name = "out" + std::to_string(i);
        out.id = next();
        outputIds.push_back(body->addNode(out));
    }
    for (const Edge &e : internal)
        body->addEdge(e);
    for (const Edge &e : inEdges) {
        const auto port = std::find(sources.begin(), sources.end(), std::pair(e.src, e.srcPort)) - sources.begin();
        body->addEdge({inputIds[std::size_t(port)], 0, e.dst, e.dstPort});
    }
    for (std::size_t i = 0; i < sinks.size(); ++i)
        body->addEdge({sinks[i].first, sinks[i].second, outputIds[i], 0});
    if (Status s = graph::inferShapes(*body); !s)
        return makeError(s.message());

    NodeSnapshot block;
    block.node.kind = OpKind::Block;
    block.node.name = uniqueName("block");
    block.node.id = next();
    block.node.body = body;
    // placed where all its layers were, when they agreed
    std::optional<plan::LayerConfig> common;
    double x = 0, y = 0;
    bool agree = true;
    for (graph::NodeId id : inside) {
        auto it = m_design.placement.find(id);
        const std::string dev = it == m_design.placement.end() ? std::string() : it->second.device;
        if (!common)
            common = plan::LayerConfig{dev, {}, {}};
        agree = agree && common->device == dev;
        if (auto p = m_design.layout.find(id); p != m_design.layout.end()) {
            x += p->second.x / double(inside.size());
            y += p->second.y / double(inside.size());
        }
    }
    if (agree && common && !common->device.empty())
        block.config = common;
    block.position = plan::Position{x, y};
    std::vector<Edge> rewired;
    for (const Edge &e : inEdges) {
        const auto port = std::find(sources.begin(), sources.end(), std::pair(e.src, e.srcPort)) - sources.begin();
        const Edge r{e.src, e.srcPort, block.node.id, int(port)};
        if (std::find(rewired.begin(), rewired.end(), r) == rewired.end())
            rewired.push_back(r);
    }
    for (const Edge &e : outEdges) {
        const auto port = std::find(sinks.begin(), sinks.end(), std::pair(e.src, e.srcPort)) - sinks.begin();
        rewired.push_back({block.node.id, int(port), e.dst, e.dstPort});
    }
    std::vector<NodeSnapshot> removed;
    for (graph::NodeId id : inside)
        removed.push_back(snapshot(id));
    std::vector<Edge> seen;
    for (auto &r : removed) {
        std::erase_if(r.edges, [&](const Edge &e) { return std::find(seen.begin(), seen.end(), e) != seen.end(); });
        seen.insert(seen.end(), r.edges.begin(), r.edges.end());
    }
    m_undo.beginMacro(tr("Group %n layer(s) into %1", nullptr, int(inside.size())).arg(QString::fromStdString(block.node.name)));
    m_undo.push(new RemoveNodesCommand(this, removed, {}));
    m_undo.push(new AddNodesCommand(this, {block}, rewired, {}));
    m_undo.endMacro();
    return block.node.id;
}

Status DesignDocument::ungroupBlock(graph::NodeId id) {
    using graph::Edge;
    const graph::Node *b = m_design.graph.node(id);
    if (!b || b->kind != graph::OpKind::Block || !b->body)
        return makeError("not a block");
    if (b->repeat != 1)
        return makeError("block " + b->name + " repeats " + std::to_string(b->repeat) + " times: set its repeat to 1 to ungroup it");
    const graph::Graph &body = *b->body;
    auto next = [ids = m_design.graph.unusedIds(body.size()), used = std::size_t(0)]() mutable { return ids.at(used++); };
    std::map<graph::NodeId, graph::NodeId> fresh;
    std::vector<NodeSnapshot> added;
    const auto at = m_design.layout.count(id) ? m_design.layout.at(id) : plan::Position{};
    int row = 0;
    auto placement = m_design.placement.find(id);
    for (const graph::Node &n : body.nodes()) {
        if (n.kind == graph::OpKind::Input || n.kind == graph::OpKind::Output)
            continue;
        NodeSnapshot s;
        s.node = n;
        s.node.id = fresh[n.id] = next();
        s.node.name = m_design.graph.findByName(n.name) ? uniqueName(n.name + "_") : n.name;
        s.position = plan::Position{at.x, at.y + 98.0 * row++};
        if (placement != m_design.placement.end())
            s.config = placement->second;
        added.push_back(s);
    }
    // outside edges into the block reach the layers its inputs fed; edges out leave from what fed its outputs
    const auto outer = m_design.graph.edges();
    std::vector<Edge> edges;
    std::vector<graph::NodeId> inputs, outputs;
    for (const auto &n : body.nodes()) {
        if (n.kind == graph::OpKind::Input)
            inputs.push_back(n.id);
        if (n.kind == graph::OpKind::Output)
            outputs.push_back(n.id);
    }
    for (const Edge &e : body.edges())
        if (fresh.count(e.src) && fresh.count(e.dst))
            edges.push_back({fresh[e.src], e.srcPort, fresh[e.dst], e.dstPort});
    for (const Edge &e : outer) {
        if (e.dst == id && std::size_t(e.dstPort) < inputs.size())
            for (const Edge &inner : body.edges())
                if (inner.src == inputs[std::size_t(e.dstPort)] && fresh.count(inner.dst))
                    edges.push_back({e.src, e.srcPort, fresh[inner.dst], inner.dstPort});
        if (e.src == id && std::size_t(e.srcPort) < outputs.size())
            for (const Edge &inner : body.edges())
                if (inner.dst == outputs[std::size_t(e.srcPort)] && fresh.count(inner.src))
                    edges.push_back({fresh[inner.src], inner.srcPort, e.dst, e.dstPort});
    }
    m_undo.beginMacro(tr("Ungroup %1").arg(QString::fromStdString(b->name)));
    m_undo.push(new RemoveNodesCommand(this, {snapshot(id)}, {}));
    m_undo.push(new AddNodesCommand(this, added, edges, {}));
    m_undo.endMacro();
    return {};
}

void DesignDocument::setBlockExpanded(graph::NodeId id, bool expanded) {
    const graph::Node *b = m_design.graph.node(id);
    if (!b || b->kind != graph::OpKind::Block)
        return;
    plan::Position before = m_design.layout.count(id) ? m_design.layout.at(id) : plan::Position{};
    if (before.expanded == expanded)
        return;
    plan::Position after = before;
    after.expanded = expanded;
    auto *cmd = new MoveNodesCommand(this, {{id, before}}, {{id, after}});
    cmd->setText(expanded ? tr("Expand %1").arg(QString::fromStdString(b->name)) : tr("Collapse %1").arg(QString::fromStdString(b->name)));
    m_undo.push(cmd);
}

Status DesignDocument::setRepeat(graph::NodeId id, std::int64_t repeat) {
    const graph::Node *b = m_design.graph.node(id);
    if (!b || b->kind != graph::OpKind::Block)
        return makeError("only a block repeats");
    if (repeat < 1)
        return makeError("a block repeats at least once");
    graph::Graph trial = m_design.graph;
    trial.node(id)->repeat = repeat;
    if (Status s = graph::inferShapes(trial); !s)
        return makeError("refused: " + s.message());
    if (repeat != b->repeat)
        m_undo.push(new RepeatCommand(this, id, b->repeat, repeat));
    return {};
}

void DesignDocument::applyRepeat(graph::NodeId id, std::int64_t repeat) {
    if (graph::Node *b = m_design.graph.node(id)) {
        b->repeat = repeat;
        emit graphChanged();
    }
}

void DesignDocument::disconnect(const graph::Edge &e) {
    m_undo.push(new ConnectCommand(this, e, false, tr("Disconnect")));
}

void DesignDocument::moveNodes(const std::vector<std::pair<graph::NodeId, plan::Position>> &to) {
    std::vector<std::pair<graph::NodeId, plan::Position>> before;
    for (const auto &[id, p] : to) {
        auto it = m_design.layout.find(id);
        before.push_back({id, it == m_design.layout.end() ? plan::Position{} : it->second});
    }
    m_undo.push(new MoveNodesCommand(this, before, to));
}

Status DesignDocument::setAttribute(graph::NodeId id, const std::string &key, const graph::AttrValue &value) {
    const graph::Node *n = m_design.graph.node(id);
    if (!n)
        return makeError("no such node");
    if (positiveSizeRequired(key)) {
        bool bad = false;
        if (auto *i = std::get_if<std::int64_t>(&value))
            bad = *i <= 0;
        else if (auto *v = std::get_if<std::vector<std::int64_t>>(&value))
            bad = v->empty() || std::any_of(v->begin(), v->end(), [](std::int64_t x) { return x <= 0; });
        else if (auto *d = std::get_if<double>(&value))
            bad = *d <= 0;
        if (bad)
            return makeError(key + " of " + n->name + " must be positive");
    }
    graph::Graph trial = m_design.graph;
    trial.node(id)->attrs.set(key, value);
    if (Status s = graph::inferShapes(trial); !s)
        return makeError("refused: " + s.message());
    std::optional<graph::AttrValue> before;
    if (auto it = n->attrs.all().find(key); it != n->attrs.all().end())
        before = it->second;
    m_undo.push(new SetAttributeCommand(this, id, key, before, value, tr("Set %1 of %2").arg(QString::fromStdString(key), QString::fromStdString(n->name))));
    return {};
}

void DesignDocument::applyInsert(const std::vector<NodeSnapshot> &nodes, const std::vector<graph::Edge> &edges) {
    // back where they stood: in ascending order of their old positions
    std::vector<const NodeSnapshot *> order;
    for (const auto &s : nodes)
        order.push_back(&s);
    std::sort(order.begin(), order.end(), [](auto *a, auto *b) { return a->index < b->index; });
    for (const NodeSnapshot *s : order)
        m_design.graph.addNode(s->node, s->index);
    for (const auto &s : nodes) {
        for (const auto &e : s.edges)
            m_design.graph.addEdge(e);
        if (s.config)
            m_design.placement[s.node.id] = *s.config;
        if (s.position)
            m_design.layout[s.node.id] = *s.position;
    }
    for (const auto &e : edges)
        m_design.graph.addEdge(e);
    graph::inferShapes(m_design.graph); // validated when the edit was made
    emit graphChanged();
}

void DesignDocument::applyRemove(const std::vector<graph::NodeId> &ids) {
    for (graph::NodeId id : ids) {
        m_design.graph.removeNode(id);
        m_design.placement.erase(id);
        m_design.layout.erase(id);
    }
    graph::inferShapes(m_design.graph);
    emit graphChanged();
}

void DesignDocument::applyEdge(const graph::Edge &e, bool add) {
    if (add)
        m_design.graph.addEdge(e);
    else
        m_design.graph.removeEdge(e);
    graph::inferShapes(m_design.graph);
    emit graphChanged();
}

void DesignDocument::applyPositions(const std::vector<std::pair<graph::NodeId, plan::Position>> &to) {
    std::vector<graph::NodeId> ids;
    for (const auto &[id, p] : to) {
        m_design.layout[id] = p;
        ids.push_back(id);
    }
    emit positionsChanged(ids);
}

void DesignDocument::applyAttribute(graph::NodeId id, const std::string &key, const std::optional<graph::AttrValue> &value) {
    graph::Node *n = m_design.graph.node(id);
    if (!n)
        return;
    if (value)
        n->attrs.set(key, *value);
    else
        n->attrs.erase(key);
    graph::inferShapes(m_design.graph);
    emit graphChanged();
}

void DesignDocument::ensureLayout() {
    bool complete = true;
    for (const auto &n : m_design.graph.nodes())
        complete = complete && m_design.layout.count(n.id);
    if (complete)
        return;
    if (auto pos = plan::autoLayout(m_design.graph))
        for (const auto &[id, p] : *pos)
            m_design.layout.try_emplace(id, p);
}

} // namespace seaside::views
