#include "plan/evaluator.h"

#include "cost/cost_model.h"

#include <algorithm>
#include <unordered_map>

namespace seaside::plan {

using graph::Node;
using graph::NodeId;
using graph::OpKind;

const char *failureKindName(Failure::Kind k) {
    switch (k) {
    case Failure::Kind::Unplaced:
        return "unplaced";
    case Failure::Kind::Unsupported:
        return "unsupported";
    case Failure::Kind::MemoryOverCapacity:
        return "memory-over-capacity";
    case Failure::Kind::ResourcesOverBudget:
        return "resources-over-budget";
    case Failure::Kind::NoLinkPath:
        return "no-link-path";
    case Failure::Kind::Cycle:
        return "cycle";
    }
    return "";
}

namespace {

bool isBoundary(OpKind k) { return k == OpKind::Input || k == OpKind::Output || k == OpKind::Constant; }

graph::DType layerDtype(const std::string &configured, const std::vector<graph::TensorDesc> &in, const Node &n) {
    if (auto t = graph::dtypeFromName(configured))
        return *t;
    if (!in.empty())
        return in[0].dtype;
    return n.outputs.empty() ? graph::DType::F32 : n.outputs[0].dtype;
}

std::optional<cost::Estimate> estimatePlain(const Node &n, const std::vector<graph::TensorDesc> &in,
                                            const graph::Attrs &options, const std::string &dtypeName,
                                            const hw::DeviceSpec &device, std::string *reason) {
    const graph::NodeMetrics m = graph::nodeMetrics(n, in);
    const cost::LayerContext ctx{n, in, m, layerDtype(dtypeName, in, n), options, device};
    const cost::CostModel &model = cost::modelFor(device);
    if (model.coverage(ctx, reason) <= 0)
        return std::nullopt;
    return model.estimateNode(ctx);
}

std::optional<cost::Estimate> estimateWithInputs(const graph::Graph &g, const Node &n,
                                                 const std::vector<graph::TensorDesc> &in, const LayerConfig &cfg,
                                                 const hw::DeviceSpec &device, std::string *reason, bool overlay);

} // namespace

std::optional<cost::Estimate> estimateLayer(const graph::Graph &g, const Node &n, const LayerConfig &cfg,
                                            const hw::DeviceSpec &device, std::string *reason, bool overlay) {
    return estimateWithInputs(g, n, g.inputTensors(n.id), cfg, device, reason, overlay);
}

namespace {
std::optional<cost::Estimate> estimateWithInputs(const graph::Graph &, const Node &n,
                                                 const std::vector<graph::TensorDesc> &in, const LayerConfig &cfg,
                                                 const hw::DeviceSpec &device, std::string *reason, bool overlay) {
    if (n.kind != OpKind::Block || !n.body)
        return estimatePlain(n, in, cfg.options, cfg.dtype, device, reason);
    // A block: every layer of its body with the block's customisations, `repeat` times over.
    cost::Estimate total;
    total.source = cost::modelFor(device).name();
    double working = 0;
    for (const Node &b : n.body->nodes()) {
        if (isBoundary(b.kind))
            continue;
        auto e = estimatePlain(b, n.body->inputTensors(b.id), cost::composeOptions(cfg.options, b.name), cfg.dtype,
                               device, reason);
        if (!e) {
            if (reason)
                *reason = "layer '" + b.name + "' of the block: " + *reason;
            return std::nullopt;
        }
        total.latency += e->latency;
        total.energy += e->energy;
        total.weightBytes += e->weightBytes;
        total.computeTime += e->computeTime;
        total.memoryTime += e->memoryTime;
        if (overlay)
            total.resources.maxWith(e->resources);
        else
            total.resources += e->resources;
        working = std::max(working, e->workingBytes);
    }
    cost::Estimate out = total.scaled(double(n.repeat));
    out.workingBytes = working;
    out.memoryBound = out.memoryTime > out.computeTime;
    return out;
}
} // namespace

// NodeId -> int (-1: none). The graph hands ids out in order, so they are dense and a vector
// indexed by id serves; a design whose ids are sparse (ids reach 2^31 - 1) gets a hash map
// instead of a vector of billions of entries.
class IdTable {
public:
    void reset(NodeId maxId, std::size_t count) {
        m_dense = std::uint64_t(maxId) <= 4 * std::uint64_t(count) + 4096;
        m_map.clear();
        if (m_dense)
            m_vec.assign(std::size_t(maxId) + 1, -1);
        else
            m_vec.clear();
    }
    void set(NodeId id, int value) {
        if (m_dense)
            m_vec[id] = value;
        else
            m_map[id] = value;
    }
    int operator[](NodeId id) const {
        if (m_dense)
            return id < m_vec.size() ? m_vec[id] : -1;
        const auto it = m_map.find(id);
        return it == m_map.end() ? -1 : it->second;
    }

private:
    bool m_dense = true;
    std::vector<int> m_vec;
    std::unordered_map<NodeId, int> m_map;
};

// The compiled design: flat arrays in topological order, rebuilt by evaluate(), patched by update().
struct Evaluator::State {
    const Design *design = nullptr;
    std::size_t nodeCount = 0, edgeCount = 0;
    std::vector<NodeId> order;
    std::vector<const Node *> nodes;                 // by position; valid while the graph is unchanged
    std::vector<char> boundary;                      // by position: input, output or constant (no cost)
    std::vector<std::vector<graph::TensorDesc>> inputs; // by position, ordered by input port
    IdTable pos;                                     // NodeId -> position (-1: none)
    std::vector<int> predStart, pred; // CSR: predecessors of position i
    std::vector<double> predBytes;    // bytes on that edge
    std::vector<double> predTransfer; // s, 0 when on the same device
    std::vector<double> predEnergy;   // J
    std::vector<char> predNoPath;
    std::vector<int> succStart, succ; // CSR: successors
    // scratch kept between compiles so that large arrays are not reallocated every evaluation
    IdTable index; // NodeId -> place in the graph's node list
    std::vector<int> indegree, outStart, outList, fill, ready, predFill, succFill;
    std::vector<std::pair<int, const graph::TensorDesc *>> ported; // (input port, tensor) per CSR slot
    std::vector<int> device;          // device a node runs on (-1 none); boundary nodes follow a neighbour
    std::vector<char> unplaced, unsupported;
    std::vector<char> pinned; // a boundary node the design places itself (where data enters or leaves)
    std::vector<std::string> reason;
    std::unique_ptr<cost::LinkRoutes> routes;
    std::unordered_map<std::string, int> deviceIndex;
    std::vector<char> overlay; // per device: FPGA mapping reuses one engine
    std::vector<char> fpga;    // per device: has FPGA resources to account
    std::string lastDeviceName;
    int lastDevice = -1;

    bool compile(const Design &d, PlanEstimate &r);
    void estimateNode(int i, PlanEstimate &r, const LayerConfig *cfg);
    void estimateAll(PlanEstimate &r);
    void followNeighbours(int i);
    void estimateEdgesOf(int i);
    void estimateEdge(int e, int consumer);
    void finish(PlanEstimate &r, bool schedule) const;
};

bool Evaluator::State::compile(const Design &d, PlanEstimate &r) {
    design = &d;
    // Keep the layer array's storage: 10,000 layers are 2 MB that would otherwise be unmapped
    // and faulted in again on every evaluation.
    r.latency = r.throughput = r.energy = 0;
    r.bottleneck.clear();
    r.failures.clear();
    const auto &all = d.graph.nodes();
    const auto &edges = d.graph.edges();
    const int n = int(all.size());
    nodeCount = all.size();
    edgeCount = edges.size();
    NodeId maxId = 0;
    for (const Node &node : all)
        maxId = std::max(maxId, node.id);
    // Index in the graph's node list, then Kahn's algorithm over CSR successor lists. Written here
    // rather than calling Graph::topologicalOrder (Boost's DFS over an adjacency_list it builds:
    // about 3 ms for 10,000 nodes, most of this evaluator's budget); a cycle is still reported by
    // Boost, whose message names a node on it.
    index.reset(maxId, all.size());
    for (int i = 0; i < n; ++i)
        index.set(all[std::size_t(i)].id, i);
    indegree.assign(std::size_t(n), 0);
    outStart.assign(std::size_t(n) + 1, 0);
    outList.resize(edges.size());
    for (const auto &e : edges) {
        ++indegree[std::size_t(index[e.dst])];
        ++outStart[std::size_t(index[e.src]) + 1];
    }
    for (int i = 0; i < n; ++i)
        outStart[std::size_t(i) + 1] += outStart[std::size_t(i)];
    fill.assign(outStart.begin(), outStart.end() - 1);
    for (const auto &e : edges)
        outList[std::size_t(fill[std::size_t(index[e.src])]++)] = index[e.dst];
    order.clear();
    order.reserve(std::size_t(n));
    ready.clear();
    for (int i = n - 1; i >= 0; --i)
        if (indegree[std::size_t(i)] == 0)
            ready.push_back(i);
    while (!ready.empty()) {
        const int v = ready.back();
        ready.pop_back();
        order.push_back(all[std::size_t(v)].id);
        for (int k = outStart[std::size_t(v)]; k < outStart[std::size_t(v) + 1]; ++k)
            if (--indegree[std::size_t(outList[std::size_t(k)])] == 0)
                ready.push_back(outList[std::size_t(k)]);
    }
    if (int(order.size()) != n) {
        auto topo = d.graph.topologicalOrder();
        r.failures.push_back({Failure::Kind::Cycle, 0, {}, topo ? std::string("the graph has a cycle") : topo.error().message});
        order.clear();
        return false;
    }
    pos.reset(maxId, all.size());
    nodes.resize(std::size_t(n));
    boundary.resize(std::size_t(n));
    for (int i = 0; i < n; ++i) {
        pos.set(order[std::size_t(i)], i);
        nodes[std::size_t(i)] = &all[std::size_t(index[order[std::size_t(i)]])];
        boundary[std::size_t(i)] = isBoundary(nodes[std::size_t(i)]->kind);
    }
    // Predecessors and successors by position as CSR arrays, filled in two passes (count, then place).
    predStart.assign(std::size_t(n) + 1, 0);
    succStart.assign(std::size_t(n) + 1, 0);
    for (const auto &e : edges) {
        ++predStart[std::size_t(pos[e.dst]) + 1];
        ++succStart[std::size_t(pos[e.src]) + 1];
    }
    for (int i = 0; i < n; ++i) {
        predStart[std::size_t(i) + 1] += predStart[std::size_t(i)];
        succStart[std::size_t(i) + 1] += succStart[std::size_t(i)];
    }
    pred.assign(edges.size(), 0);
    predBytes.assign(edges.size(), 0);
    succ.assign(edges.size(), 0);
    predFill.assign(predStart.begin(), predStart.end() - 1);
    succFill.assign(succStart.begin(), succStart.end() - 1);
    ported.resize(edges.size());
    static const graph::TensorDesc kUnknown;
    for (const auto &e : edges) {
        const int a = pos[e.src], b = pos[e.dst];
        const Node *src = nodes[std::size_t(a)];
        const graph::TensorDesc *t = e.srcPort < int(src->outputs.size()) ? &src->outputs[std::size_t(e.srcPort)] : &kUnknown;
        const int slot = predFill[std::size_t(b)]++;
        pred[std::size_t(slot)] = a;
        predBytes[std::size_t(slot)] = t->bytes();
        ported[std::size_t(slot)] = {e.dstPort, t};
        succ[std::size_t(succFill[std::size_t(a)]++)] = b;
    }
    // Each layer's input tensors in port order, as Graph::inputTensors gives them, without its lookups.
    inputs.resize(std::size_t(n));
    for (int i = 0; i < n; ++i) {
        auto first = ported.begin() + predStart[std::size_t(i)], last = ported.begin() + predStart[std::size_t(i) + 1];
        std::sort(first, last, [](const auto &x, const auto &y) { return x.first < y.first; });
        auto &in = inputs[std::size_t(i)];
        in.resize(std::size_t(last - first)); // assigning into kept elements reuses their shape storage
        for (auto it = first; it != last; ++it)
            in[std::size_t(it - first)] = *it->second;
    }
    predTransfer.assign(pred.size(), 0);
    predEnergy.assign(pred.size(), 0);
    predNoPath.assign(pred.size(), 0);
    deviceIndex.clear();
    lastDeviceName.clear();
    lastDevice = -1;
    overlay.assign(d.platform.devices.size(), 0);
    fpga.assign(d.platform.devices.size(), 0);
    for (std::size_t i = 0; i < d.platform.devices.size(); ++i) {
        deviceIndex[d.platform.devices[i].id] = int(i);
        overlay[i] = d.platform.devices[i].options.getString("fpga_mapping", "dataflow") == "overlay";
        fpga[i] = d.platform.devices[i].spec.fpga.has_value();
    }
    routes = std::make_unique<cost::LinkRoutes>(d.platform);
    device.assign(std::size_t(n), -1);
    unplaced.assign(std::size_t(n), 0);
    pinned.assign(std::size_t(n), 0);
    unsupported.assign(std::size_t(n), 0);
    reason.assign(std::size_t(n), {});
    r.layers.resize(std::size_t(n));
    for (int i = 0; i < n; ++i)
        r.layers[std::size_t(i)].node = order[std::size_t(i)];
    return true;
}

// A layer's device and cost. Boundary nodes (inputs, outputs, constants) cost nothing.
void Evaluator::State::estimateNode(int i, PlanEstimate &r, const LayerConfig *cfg) {
    const Node &n = *nodes[std::size_t(i)];
    LayerEstimate &le = r.layers[std::size_t(i)];
    le.cost = {};
    unplaced[std::size_t(i)] = unsupported[std::size_t(i)] = pinned[std::size_t(i)] = 0;
    // Consecutive layers mostly share a device: remember the last name looked up.
    if (cfg && cfg->device != lastDeviceName) {
        auto it = deviceIndex.find(cfg->device);
        lastDeviceName = cfg->device;
        lastDevice = it == deviceIndex.end() ? -1 : it->second;
    }
    const int dev = cfg ? lastDevice : -1;
    if (isBoundary(n.kind)) {
        pinned[std::size_t(i)] = dev >= 0;
        if (dev >= 0)
            device[std::size_t(i)] = dev;
        return;
    }
    device[std::size_t(i)] = dev;
    if (dev < 0) {
        unplaced[std::size_t(i)] = 1;
        return;
    }
    const hw::DeviceInstance &inst = design->platform.devices[std::size_t(dev)];
    auto e = estimateWithInputs(design->graph, n, inputs[std::size_t(i)], *cfg, inst.spec, &reason[std::size_t(i)],
                                overlay[std::size_t(dev)]);
    if (!e) {
        unsupported[std::size_t(i)] = 1;
        return;
    }
    le.cost = *e;
}

// Every layer: one pass over the placement (sorted by id) instead of a lookup per layer.
void Evaluator::State::estimateAll(PlanEstimate &r) {
    std::vector<const LayerConfig *> cfg(order.size(), nullptr);
    for (const auto &[id, c] : design->placement)
        if (const int p = pos[id]; p >= 0)
            cfg[std::size_t(p)] = &c;
    for (std::size_t i = 0; i < order.size(); ++i)
        estimateNode(int(i), r, cfg[i]);
}

// Inputs sit where their first consumer runs, outputs and constants where their neighbour does,
// so that feeding a model and reading its result costs no transfer.
void Evaluator::State::followNeighbours(int i) {
    const Node &n = *nodes[std::size_t(i)];
    if (!isBoundary(n.kind) || pinned[std::size_t(i)])
        return;
    int d = -1;
    if (n.kind == OpKind::Output) {
        for (int k = predStart[std::size_t(i)]; k < predStart[std::size_t(i) + 1] && d < 0; ++k)
            d = device[std::size_t(pred[std::size_t(k)])];
    } else {
        for (int k = succStart[std::size_t(i)]; k < succStart[std::size_t(i) + 1] && d < 0; ++k)
            d = device[std::size_t(succ[std::size_t(k)])];
    }
    device[std::size_t(i)] = d;
}

void Evaluator::State::estimateEdge(int e, int consumer) {
    const int a = device[std::size_t(pred[std::size_t(e)])], b = device[std::size_t(consumer)];
    predTransfer[std::size_t(e)] = predEnergy[std::size_t(e)] = 0;
    predNoPath[std::size_t(e)] = 0;
    if (a < 0 || b < 0 || a == b)
        return;
    if (!routes->connected(a, b)) {
        predNoPath[std::size_t(e)] = 1;
        return;
    }
    const auto t = routes->transfer(predBytes[std::size_t(e)], a, b);
    predTransfer[std::size_t(e)] = t.latency;
    predEnergy[std::size_t(e)] = t.energy;
}

void Evaluator::State::estimateEdgesOf(int i) {
    for (int k = predStart[std::size_t(i)]; k < predStart[std::size_t(i) + 1]; ++k)
        estimateEdge(k, i);
    for (int k = succStart[std::size_t(i)]; k < succStart[std::size_t(i) + 1]; ++k) {
        const int s = succ[std::size_t(k)];
        for (int e = predStart[std::size_t(s)]; e < predStart[std::size_t(s) + 1]; ++e)
            if (pred[std::size_t(e)] == i)
                estimateEdge(e, s);
    }
}

// Aggregates, failures and (unless only prechecking) the schedule: linear passes over arrays.
void Evaluator::State::finish(PlanEstimate &r, bool schedule) const {
    const auto &platform = design->platform;
    const int n = int(order.size());
    r.failures.clear();
    r.devices.assign(platform.devices.size(), {});
    r.links.assign(platform.links.size(), {});
    std::vector<double> largestWorking(platform.devices.size(), 0);
    std::vector<int> heaviest(platform.devices.size(), -1); // the layer with the most weights, per device
    std::vector<double> heaviestBytes(platform.devices.size(), 0);
    for (std::size_t d = 0; d < platform.devices.size(); ++d) {
        r.devices[d].id = platform.devices[d].id;
        r.devices[d].capacity = platform.devices[d].spec.memCapacity;
    }
    for (std::size_t l = 0; l < platform.links.size(); ++l)
        r.links[l].id = platform.links[l].id;

    // One pass: per-device sums, link traffic, failures and the list schedule of one inference
    // in topological order (a device runs one layer at a time).
    std::vector<double> free(platform.devices.size(), 0);
    double makespan = 0;
    for (int i = 0; i < n; ++i) {
        LayerEstimate &le = r.layers[std::size_t(i)];
        le.device = device[std::size_t(i)];
        if (schedule) {
            double ready = 0, transfer = 0;
            for (int k = predStart[std::size_t(i)]; k < predStart[std::size_t(i) + 1]; ++k) {
                ready = std::max(ready, r.layers[std::size_t(pred[std::size_t(k)])].finish + predTransfer[std::size_t(k)]);
                transfer = std::max(transfer, predTransfer[std::size_t(k)]);
            }
            le.transferIn = transfer;
            le.start = le.device >= 0 ? std::max(ready, free[std::size_t(le.device)]) : ready;
            le.finish = le.start + le.cost.latency;
            if (le.device >= 0)
                free[std::size_t(le.device)] = le.finish;
            makespan = std::max(makespan, le.finish);
        }
        const NodeId id = order[std::size_t(i)];
        const Node &node = *nodes[std::size_t(i)];
        if (unplaced[std::size_t(i)])
            r.failures.push_back({Failure::Kind::Unplaced, id, {}, "layer '" + node.name + "' is not placed on a device"});
        if (unsupported[std::size_t(i)])
            r.failures.push_back({Failure::Kind::Unsupported, id, platform.devices[std::size_t(le.device)].id,
                                  "layer '" + node.name + "': " + reason[std::size_t(i)]});
        if (le.device >= 0 && !boundary[std::size_t(i)]) {
            DeviceEstimate &de = r.devices[std::size_t(le.device)];
            ++de.layers;
            de.busy += le.cost.latency;
            de.dynamicEnergy += le.cost.energy;
            de.weightBytes += le.cost.weightBytes;
            if (fpga[std::size_t(le.device)]) { // resources live on another cache line: FPGAs only
                if (overlay[std::size_t(le.device)]) // one engine reused layer after layer
                    de.resources.maxWith(le.cost.resources);
                else // dataflow: every layer has hardware of its own
                    de.resources += le.cost.resources;
            }
            largestWorking[std::size_t(le.device)] = std::max(largestWorking[std::size_t(le.device)], le.cost.workingBytes);
            if (heaviest[std::size_t(le.device)] < 0 || le.cost.weightBytes > heaviestBytes[std::size_t(le.device)]) {
                heaviest[std::size_t(le.device)] = i;
                heaviestBytes[std::size_t(le.device)] = le.cost.weightBytes;
            }
        }
        for (int k = predStart[std::size_t(i)]; k < predStart[std::size_t(i) + 1]; ++k) {
            if (predNoPath[std::size_t(k)]) {
                const int a = device[std::size_t(pred[std::size_t(k)])];
                r.failures.push_back({Failure::Kind::NoLinkPath, id, platform.devices[std::size_t(le.device)].id,
                                      "layer '" + node.name + "' on " + platform.devices[std::size_t(le.device)].id +
                                          " needs data from " + platform.devices[std::size_t(a)].id + ", and no link path joins them"});
                continue;
            }
            if (predTransfer[std::size_t(k)] <= 0)
                continue;
            const auto &path = routes->path(device[std::size_t(pred[std::size_t(k)])], le.device);
            for (int link : path) {
                r.links[std::size_t(link)].busy += routes->hopTime(predBytes[std::size_t(k)], link);
                r.links[std::size_t(link)].bytes += predBytes[std::size_t(k)];
            }
            r.links[std::size_t(path.front())].energy += predEnergy[std::size_t(k)]; // whole path, booked once
        }
    }

    for (std::size_t d = 0; d < r.devices.size(); ++d) {
        DeviceEstimate &de = r.devices[d];
        de.peakMemory = de.weightBytes + largestWorking[d];
        const auto &spec = platform.devices[d].spec;
        const NodeId culprit = heaviest[d] >= 0 ? order[std::size_t(heaviest[d])] : 0;
        if (de.peakMemory > spec.memCapacity)
            r.failures.push_back({Failure::Kind::MemoryOverCapacity, culprit, de.id,
                                  de.id + " needs " + std::to_string(de.peakMemory / 1e9) + " GB (weights and the largest working set) but has " +
                                      std::to_string(spec.memCapacity / 1e9) + " GB"});
        if (spec.fpga) {
            const auto &f = *spec.fpga;
            const std::pair<const char *, std::pair<double, double>> use[] = {
                {"LUT", {de.resources.lut, double(f.lut)}},   {"FF", {de.resources.ff, double(f.ff)}},
                {"DSP", {de.resources.dsp, double(f.dsp)}},   {"BRAM", {de.resources.bram, double(f.bram)}},
                {"URAM", {de.resources.uram, double(f.uram)}}};
            for (const auto &[what, v] : use)
                if (v.first > v.second)
                    r.failures.push_back({Failure::Kind::ResourcesOverBudget, culprit, de.id,
                                          de.id + " needs " + std::to_string(std::int64_t(v.first)) + " " + what + " for its layers but has " +
                                              std::to_string(std::int64_t(v.second))});
        }
    }
    if (!schedule)
        return;
    r.latency = makespan;
    double bottleneck = 0, energy = 0;
    for (std::size_t d = 0; d < r.devices.size(); ++d) {
        DeviceEstimate &de = r.devices[d];
        de.idleEnergy = platform.devices[d].spec.idlePower * makespan;
        energy += de.dynamicEnergy + de.idleEnergy;
        if (de.busy > bottleneck) {
            bottleneck = de.busy;
            r.bottleneck = de.id;
        }
    }
    for (const LinkEstimate &l : r.links) {
        energy += l.energy;
        if (l.busy > bottleneck) {
            bottleneck = l.busy;
            r.bottleneck = l.id;
        }
    }
    r.energy = energy;
    r.throughput = bottleneck > 0 ? 1 / bottleneck : 0;
}

Evaluator::Evaluator() = default;
Evaluator::~Evaluator() = default;

// Every layer and every edge from scratch; with `schedule` false, only the checks (precheck).
const PlanEstimate &Evaluator::run(const Design &d, bool schedule) {
    if (!m_state)
        m_state = std::make_unique<State>();
    if (!m_state->compile(d, m_result))
        return m_result;
    const int n = int(m_state->order.size());
    m_state->estimateAll(m_result);
    for (int i = 0; i < n; ++i)
        m_state->followNeighbours(i);
    for (int i = 0; i < n; ++i)
        for (int k = m_state->predStart[std::size_t(i)]; k < m_state->predStart[std::size_t(i) + 1]; ++k)
            m_state->estimateEdge(k, i);
    m_state->finish(m_result, schedule);
    return m_result;
}

const PlanEstimate &Evaluator::evaluate(const Design &d) { return run(d, true); }

const PlanEstimate &Evaluator::update(const Design &d, const std::vector<NodeId> &changed) {
    State *s = m_state.get();
    if (!s || s->order.empty() || s->nodeCount != d.graph.size() || s->edgeCount != d.graph.edges().size() ||
        s->deviceIndex.size() != d.platform.devices.size())
        return evaluate(d);
    s->design = &d;
    for (NodeId id : changed) {
        if (s->pos[id] < 0)
            return evaluate(d);
        const int i = s->pos[id];
        auto cfg = d.placement.find(id);
        s->estimateNode(i, m_result, cfg == d.placement.end() ? nullptr : &cfg->second);
        // Boundary neighbours follow the layer; then every edge whose device pair may have moved.
        for (int k = s->predStart[std::size_t(i)]; k < s->predStart[std::size_t(i) + 1]; ++k)
            s->followNeighbours(s->pred[std::size_t(k)]);
        for (int k = s->succStart[std::size_t(i)]; k < s->succStart[std::size_t(i) + 1]; ++k)
            s->followNeighbours(s->succ[std::size_t(k)]);
        s->estimateEdgesOf(i);
        for (int k = s->predStart[std::size_t(i)]; k < s->predStart[std::size_t(i) + 1]; ++k)
            s->estimateEdgesOf(s->pred[std::size_t(k)]);
        for (int k = s->succStart[std::size_t(i)]; k < s->succStart[std::size_t(i) + 1]; ++k)
            s->estimateEdgesOf(s->succ[std::size_t(k)]);
    }
    s->finish(m_result, true);
    return m_result;
}

const PlanEstimate &Evaluator::precheck(const Design &d) { return run(d, false); }

} // namespace seaside::plan
