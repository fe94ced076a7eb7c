#include "store/project_store.h"

#include "hw/catalogue.h"
#include "plan/design_check.h"
#include "store/body_numbering.h"
#include "store/design_json.h"
#include "store/schema.h"
#include "store/sqlite.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace seaside::store {

using nlohmann::json;
using namespace seaside::graph;

namespace {

// Graph ids in the file: the top-level graph is 0, body i of BodyNumbering is i + 1.
std::int64_t graphId(const BodyNumbering &bodies, const Graph *body) { return bodies.of(body) + 1; }

Status writeGraph(Database &db, const Graph &g, std::int64_t gid, const BodyNumbering &bodies) {
    auto node = db.prepare("INSERT INTO nodes(graph_id,id,seq,name,kind,op_type,attrs,outputs,body_id,repeat)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?)");
    auto edge = db.prepare("INSERT INTO edges(graph_id,seq,src,src_port,dst,dst_port) VALUES(?,?,?,?,?,?)");
    if (!node || !edge)
        return makeError(!node ? node.error().message : edge.error().message);
    std::int64_t seq = 0;
    for (const Node &n : g.nodes()) {
        json outs = json::array();
        for (const auto &t : n.outputs)
            outs.push_back(tensorToJson(t));
        node->bind(1, gid).bind(2, std::int64_t(n.id)).bind(3, seq++).bind(4, n.name);
        node->bind(5, std::string(opKindName(n.kind))).bind(6, n.opType);
        node->bind(7, attrsToJson(n.attrs).dump()).bind(8, outs.dump());
        if (n.body)
            node->bind(9, graphId(bodies, n.body.get()));
        else
            node->bindNull(9);
        node->bind(10, n.repeat);
        if (Status s = node->run(); !s)
            return makeError("node '" + n.name + "': " + s.message());
    }
    seq = 0;
    for (const Edge &e : g.edges()) {
        edge->bind(1, gid).bind(2, seq++).bind(3, std::int64_t(e.src)).bind(4, std::int64_t(e.srcPort));
        edge->bind(5, std::int64_t(e.dst)).bind(6, std::int64_t(e.dstPort));
        if (Status s = edge->run(); !s)
            return s;
    }
    return {};
}

Status writeDesign(Database &db, const plan::Design &d) {
    const BodyNumbering bodies(d.graph);
    auto meta = db.prepare("INSERT INTO meta(key,value) VALUES(?,?)");
    auto md = db.prepare("INSERT INTO metadata(key,value) VALUES(?,?)");
    auto graphRow = db.prepare("INSERT INTO graphs(id) VALUES(?)");
    if (!meta || !md || !graphRow)
        return makeError("preparing the save statements failed");
    meta->bind(1, std::string("application")).bind(2, std::string("seaside"));
    meta->run();
    meta->bind(1, std::string("name")).bind(2, d.name);
    meta->run();
    for (const auto &[k, v] : d.metadata)
        if (Status s = md->bind(1, k).bind(2, v).run(); !s)
            return s;
    for (std::int64_t gid = 0; gid <= std::int64_t(bodies.bodies().size()); ++gid)
        if (Status s = graphRow->bind(1, gid).run(); !s)
            return s;
    for (const Graph *body : bodies.bodies())
        if (Status s = writeGraph(db, *body, graphId(bodies, body), bodies); !s)
            return s;
    if (Status s = writeGraph(db, d.graph, 0, bodies); !s)
        return s;

    auto dev = db.prepare("INSERT INTO devices(id,seq,spec,options) VALUES(?,?,?,?)");
    auto link = db.prepare("INSERT INTO links(id,seq,a,b,spec) VALUES(?,?,?,?,?)");
    auto place = db.prepare("INSERT INTO placement(node_id,device_id,dtype,options) VALUES(?,?,?,?)");
    auto lay = db.prepare("INSERT INTO layout(node_id,x,y,expanded) VALUES(?,?,?,?)");
    if (!dev || !link || !place || !lay)
        return makeError("preparing the save statements failed");
    std::int64_t seq = 0;
    for (const auto &x : d.platform.devices)
        if (Status s = dev->bind(1, x.id).bind(2, seq++).bind(3, hw::deviceToJson(x.spec).dump()).bind(4, attrsToJson(x.options).dump()).run(); !s)
            return makeError("device '" + x.id + "': " + s.message());
    seq = 0;
    for (const auto &l : d.platform.links)
        if (Status s = link->bind(1, l.id).bind(2, seq++).bind(3, l.a).bind(4, l.b).bind(5, hw::linkToJson(l.spec).dump()).run(); !s)
            return makeError("link '" + l.id + "': " + s.message());
    for (const auto &[id, cfg] : d.placement) {
        place->bind(1, std::int64_t(id));
        if (cfg.device.empty())
            place->bindNull(2);
        else
            place->bind(2, cfg.device);
        if (Status s = place->bind(3, cfg.dtype).bind(4, attrsToJson(cfg.options).dump()).run(); !s)
            return makeError("placement of node " + std::to_string(id) + ": " + s.message());
    }
    for (const auto &[id, pos] : d.layout)
        if (Status s = lay->bind(1, std::int64_t(id)).bind(2, pos.x).bind(3, pos.y).bind(4, std::int64_t(pos.expanded)).run(); !s)
            return makeError("layout of node " + std::to_string(id) + ": " + s.message());
    return {};
}

// A node id as the file holds it: a whole number (text would read as 0) in 1..kMaxNodeId (cut to
// 32 bits, 4294967298 would name node 2). `what` names it in the error.
Expected<NodeId> nodeIdColumn(const Statement &row, int column, const std::string &what) {
    auto id = row.integer(column, what);
    if (!id)
        return id.error();
    if (Status s = plan::checkNodeId(*id, what); !s)
        return makeError(s.message());
    return NodeId(*id);
}

Expected<Graph> readGraph(Database &db, std::int64_t gid, const std::unordered_map<std::int64_t, std::shared_ptr<const Graph>> &bodies) {
    Graph g;
    auto nodes = db.prepare("SELECT id,name,kind,op_type,attrs,outputs,body_id,repeat FROM nodes WHERE graph_id=? ORDER BY seq");
    if (!nodes)
        return nodes.error();
    nodes->bind(1, gid);
    while (nodes->step()) {
        Node n;
        n.name = nodes->columnText(1);
        const std::string who = "node '" + n.name + "'";
        auto id = nodeIdColumn(*nodes, 0, who);
        if (!id)
            return id.error();
        n.id = *id;
        auto kind = opKindFromName(nodes->columnText(2));
        if (!kind)
            return makeError("node '" + n.name + "' has an unknown kind '" + nodes->columnText(2) + "'");
        n.kind = *kind;
        n.opType = nodes->columnText(3);
        json attrs = json::parse(nodes->columnText(4), nullptr, false);
        json outs = json::parse(nodes->columnText(5), nullptr, false);
        if (attrs.is_discarded() || outs.is_discarded())
            return makeError("node '" + n.name + "' has unreadable attributes or outputs");
        auto nodeAttrs = attrsFromJson(attrs);
        if (!nodeAttrs)
            return makeError("node '" + n.name + "': " + nodeAttrs.error().message);
        n.attrs = std::move(*nodeAttrs);
        for (const json &t : outs) {
            auto td = tensorFromJson(t);
            if (!td)
                return makeError("node '" + n.name + "': " + td.error().message);
            n.outputs.push_back(*td);
        }
        if (!nodes->columnIsNull(6)) {
            auto body = nodes->integer(6, "the body of " + who);
            if (!body)
                return body.error();
            auto it = bodies.find(*body);
            if (it == bodies.end())
                return makeError("block '" + n.name + "' refers to a missing body");
            n.body = it->second;
        }
        // the schema's CHECK(repeat >= 1) lets text through ('x' >= 1 holds in SQLite)
        auto repeat = nodes->integer(7, "the repeat of " + who);
        if (!repeat)
            return repeat.error();
        n.repeat = *repeat;
        if (n.repeat < 1)
            return makeError(who + " has repeat " + std::to_string(n.repeat) + "; it must be at least 1");
        g.addNode(std::move(n));
    }
    if (!nodes->error().empty())
        return makeError(nodes->error());
    auto edges = db.prepare("SELECT src,src_port,dst,dst_port FROM edges WHERE graph_id=? ORDER BY seq");
    if (!edges)
        return edges.error();
    edges->bind(1, gid);
    while (edges->step()) {
        auto src = nodeIdColumn(*edges, 0, "an edge's node"), dst = nodeIdColumn(*edges, 2, "an edge's node");
        auto srcPort = edges->integer(1, "an edge's port"), dstPort = edges->integer(3, "an edge's port");
        if (!src || !dst)
            return !src ? src.error() : dst.error();
        if (!srcPort || !dstPort)
            return !srcPort ? srcPort.error() : dstPort.error();
        for (std::int64_t port : {*srcPort, *dstPort}) // negative ports are addEdge's to refuse
            if (port > std::numeric_limits<int>::max())
                return makeError("an edge has port " + std::to_string(port));
        Edge e{*src, int(*srcPort), *dst, int(*dstPort)};
        if (Status s = g.addEdge(e); !s)
            return makeError(s.message());
    }
    return g;
}

Expected<plan::Design> readDesign(Database &db) {
    plan::Design d;
    auto meta = db.prepare("SELECT value FROM meta WHERE key='name'");
    if (!meta)
        return meta.error();
    if (meta->step())
        d.name = meta->columnText(0);
    auto md = db.prepare("SELECT key,value FROM metadata");
    if (!md)
        return md.error();
    while (md->step())
        d.metadata[md->columnText(0)] = md->columnText(1);

    // Bodies were written with ids after the bodies they use: read them in id order.
    std::unordered_map<std::int64_t, std::shared_ptr<const Graph>> bodies;
    auto graphs = db.prepare("SELECT id FROM graphs WHERE id > 0 ORDER BY id");
    if (!graphs)
        return graphs.error();
    while (graphs->step()) {
        const auto gid = graphs->columnInt(0);
        auto body = readGraph(db, gid, bodies);
        if (!body)
            return body.error();
        bodies[gid] = std::make_shared<const Graph>(std::move(*body));
    }
    auto top = readGraph(db, 0, bodies);
    if (!top)
        return top.error();
    d.graph = std::move(*top);

    auto dev = db.prepare("SELECT id,spec,options FROM devices ORDER BY seq");
    auto link = db.prepare("SELECT id,a,b,spec FROM links ORDER BY seq");
    auto place = db.prepare("SELECT node_id,device_id,dtype,options FROM placement");
    auto lay = db.prepare("SELECT node_id,x,y,expanded FROM layout");
    if (!dev || !link || !place || !lay)
        return makeError("the project file's tables are not the expected ones");
    while (dev->step()) {
        auto spec = hw::deviceFromJson(json::parse(dev->columnText(1), nullptr, false));
        if (!spec)
            return makeError("device '" + dev->columnText(0) + "': " + spec.error().message);
        auto options = attrsFromJson(json::parse(dev->columnText(2), nullptr, false));
        if (!options)
            return makeError("device '" + dev->columnText(0) + "': " + options.error().message);
        d.platform.devices.push_back({dev->columnText(0), *spec, std::move(*options)});
    }
    while (link->step()) {
        auto spec = hw::linkFromJson(json::parse(link->columnText(3), nullptr, false));
        if (!spec)
            return makeError("link '" + link->columnText(0) + "': " + spec.error().message);
        d.platform.links.push_back({link->columnText(0), link->columnText(1), link->columnText(2), *spec});
    }
    while (place->step()) {
        auto node = nodeIdColumn(*place, 0, "the placement's node");
        if (!node)
            return node.error();
        plan::LayerConfig cfg;
        cfg.device = place->columnIsNull(1) ? std::string() : place->columnText(1);
        cfg.dtype = place->columnText(2);
        auto options = attrsFromJson(json::parse(place->columnText(3), nullptr, false));
        if (!options)
            return makeError("the placement of node " + std::to_string(*node) + ": " + options.error().message);
        cfg.options = std::move(*options);
        d.placement[*node] = cfg;
    }
    while (lay->step()) {
        auto node = nodeIdColumn(*lay, 0, "the layout's node");
        if (!node)
            return node.error();
        const std::string where = "the layout of node " + std::to_string(*node);
        auto x = lay->real(1, where + ": x"), y = lay->real(2, where + ": y");
        auto expanded = lay->integer(3, where + ": expanded");
        if (!x || !y || !expanded)
            return !x ? x.error() : !y ? y.error() : expanded.error();
        d.layout[*node] = {*x, *y, *expanded != 0};
    }
    return d;
}

Error fileError(const std::string &path, const std::string &what) { return makeError(path + ": " + what); }

} // namespace

bool looksLikeSqlite(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    char header[16] = {};
    in.read(header, 16);
    return in.gcount() == 16 && std::string(header, 16) == std::string("SQLite format 3\0", 16);
}

Status saveProject(const plan::Design &d, const std::string &path) {
    // never write a file that openProject would refuse: the user would believe it saved
    if (Status s = plan::checkDesign(d); !s)
        return fileError(path, "not saved, the previous file is untouched: " + s.message());
    const std::string tmp = path + ".tmp";
    std::remove(tmp.c_str());
    {
        auto db = Database::open(tmp, Database::Mode::ReadWriteCreate);
        if (!db)
            return fileError(path, "cannot create the project file: " + db.error().message);
        // The temporary file is deleted on any failure, so a rollback journal buys nothing: the
        // save is still one transaction, synced once at commit before the rename.
        Status s = db->exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = FULL; PRAGMA application_id = " +
                            std::to_string(kApplicationId));
        if (s)
            s = migrate(*db);
        if (s)
            s = db->exec("BEGIN");
        if (s)
            s = writeDesign(*db, d);
        if (s)
            s = db->exec("COMMIT");
        if (!s) {
            db->exec("ROLLBACK");
            *db = Database();
            std::remove(tmp.c_str());
            return fileError(path, "saving failed, the previous file is untouched: " + s.message());
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        return fileError(path, "cannot replace the file: " + ec.message());
    }
    return {};
}

Expected<plan::Design> openProject(const std::string &path, std::vector<std::string> *warnings) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fileError(path, "no such file");
    if (!looksLikeSqlite(path))
        return fileError(path, "not a Seaside project (not an SQLite database)");
    auto file = Database::open(path, Database::Mode::ReadOnly);
    if (!file)
        return fileError(path, "cannot open: " + file.error().message);
    auto appId = file->pragmaInt("application_id");
    if (!appId)
        return fileError(path, "the file is corrupt: " + appId.error().message);
    if (*appId != kApplicationId)
        return fileError(path, "an SQLite database, but not a Seaside project");
    auto check = file->prepare("PRAGMA integrity_check");
    if (!check || !check->step() || check->columnText(0) != "ok")
        return fileError(path, "the file is corrupt (integrity check: " +
                                   (check && check->error().empty() ? check->columnText(0) : std::string("failed")) + ")");
    auto version = file->pragmaInt("user_version");
    if (!version)
        return fileError(path, version.error().message);
    if (*version > currentSchemaVersion())
        return fileError(path, "written by a newer Seaside (schema " + std::to_string(*version) +
                                   ", this version reads up to " + std::to_string(currentSchemaVersion()) + ")");
    Database *source = &*file;
    Database migrated;
    if (*version < currentSchemaVersion()) {
        auto mem = Database::open({}, Database::Mode::Memory);
        if (!mem)
            return fileError(path, mem.error().message);
        migrated = std::move(*mem);
        if (Status s = file->copyInto(migrated); !s)
            return fileError(path, "cannot read for migration: " + s.message());
        if (Status s = migrate(migrated); !s)
            return fileError(path, s.message());
        source = &migrated;
    }
    auto d = readDesign(*source);
    if (!d)
        return fileError(path, d.error().message);
    if (Status s = plan::settleLoadedDesign(*d, warnings); !s)
        return fileError(path, s.message());
    return d;
}

} // namespace seaside::store
