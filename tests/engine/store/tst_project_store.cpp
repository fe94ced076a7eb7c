#include "graph/block_split.h"
#include "graph/templates/templates.h"
#include "hw/catalogue.h"
#include "store/design_json.h"
#include "store/project_store.h"
#include "store/sqlite.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <map>

using namespace seaside;

namespace {
QByteArray fileHash(const QString &path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

plan::Design richDesign() {
    plan::Design d;
    d.name = "round trip";
    d.metadata = {{"description", "a design with everything"}, {"onnx.opsets", "ai.onnx:13"}};
    auto g = graph::templates::buildTemplate("resnet50");
    if (!g.ok())
        qFatal("template failed");
    d.graph = *g;
    const auto &cat = hw::defaultCatalogue();
    d.platform.devices = {{"fpga0", *cat.device("amd-zcu102")}, {"gpu0", *cat.device("nvidia-l4")}};
    d.platform.links = {{"pcie", "fpga0", "gpu0", *cat.link("pcie4-x16")}};
    for (const auto &n : d.graph.nodes()) {
        plan::LayerConfig cfg;
        cfg.device = n.id % 2 ? "fpga0" : "gpu0";
        cfg.dtype = "int8";
        cfg.options.set("unroll", std::int64_t(n.id));
        cfg.options.set("ratio", 0.25 + n.id);
        d.placement[n.id] = cfg;
        d.layout[n.id] = {double(n.id) * 1.5, -double(n.id) / 3.0, n.kind == graph::OpKind::Block};
    }
    d.placement[d.graph.nodes().front().id].device.clear(); // unplaced, with a config
    return d;
}
} // namespace

class TestProjectStore : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const char *name) { return m_dir.filePath(name); }

private slots:
    void saveOpenRoundTripsEveryField() {
        const plan::Design d = richDesign();
        const QString p = path("rich.seaside");
        QVERIFY(store::saveProject(d, p.toStdString()).ok());
        auto back = store::openProject(p.toStdString());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->name, d.name);
        QCOMPARE(back->metadata, d.metadata);
        QVERIFY(back->graph == d.graph);
        QVERIFY(back->platform == d.platform);
        QVERIFY(back->placement == d.placement);
        QVERIFY(back->layout == d.layout);
        QVERIFY(*back == d);
        // a second save over the first replaces it completely
        plan::Design smaller = d;
        smaller.placement.clear();
        QVERIFY(store::saveProject(smaller, p.toStdString()).ok());
        QVERIFY(store::openProject(p.toStdString())->placement.empty());
    }

    void everySampleRoundTrips() {
        for (const auto &e : std::filesystem::directory_iterator(SEASIDE_PROJECTS_DIR)) {
            auto d = store::readDesignJson(e.path().string());
            QVERIFY2(d.ok(), d.ok() ? "" : d.error().message.c_str());
            const QString p = path("sample.seaside");
            QVERIFY(store::saveProject(*d, p.toStdString()).ok());
            auto back = store::openProject(p.toStdString());
            QVERIFY2(back.ok() && *back == *d, e.path().c_str());
        }
    }

    void foreignAndCorruptFilesAreRefusedUntouched() {
        // not SQLite at all
        const QString text = path("notes.seaside");
        QFile t(text);
        t.open(QIODevice::WriteOnly);
        t.write("just some text, not a database\n");
        t.close();
        // SQLite, but not a Seaside project
        const QString other = path("other.seaside");
        {
            auto db = store::Database::open(other.toStdString(), store::Database::Mode::ReadWriteCreate);
            QVERIFY(db.ok());
            QVERIFY(db->exec("CREATE TABLE photos(id INTEGER); INSERT INTO photos VALUES(1)").ok());
        }
        // a Seaside project from a newer schema
        const QString newer = path("newer.seaside");
        QVERIFY(store::saveProject(richDesign(), newer.toStdString()).ok());
        {
            auto db = store::Database::open(newer.toStdString(), store::Database::Mode::ReadWriteCreate);
            QVERIFY(db->exec("PRAGMA user_version = 99").ok());
        }
        // a real project with its pages overwritten in the middle
        const QString corrupt = path("corrupt.seaside");
        QVERIFY(store::saveProject(richDesign(), corrupt.toStdString()).ok());
        {
            QFile c(corrupt);
            c.open(QIODevice::ReadWrite);
            const qint64 size = c.size();
            QVERIFY(size > 8192);
            c.seek(size / 2);
            c.write(QByteArray(4096, '\x5a'));
        }
        // truncated after the header
        const QString truncated = path("truncated.seaside");
        QVERIFY(store::saveProject(richDesign(), truncated.toStdString()).ok());
        QFile::resize(truncated, 1500);

        const struct {
            QString file;
            const char *expect;
        } cases[] = {{text, "not a Seaside project"},
                     {other, "not a Seaside project"},
                     {newer, "newer"},
                     {corrupt, "corrupt"},
                     {truncated, "corrupt"}};
        for (const auto &c : cases) {
            const QByteArray before = fileHash(c.file);
            auto r = store::openProject(c.file.toStdString());
            QVERIFY2(!r.ok(), qPrintable(c.file));
            QVERIFY2(r.error().message.find(c.file.toStdString()) != std::string::npos, r.error().message.c_str());
            QVERIFY2(r.error().message.find(c.expect) != std::string::npos, r.error().message.c_str());
            QCOMPARE(fileHash(c.file), before);
        }
        const auto missing = store::openProject(path("missing.seaside").toStdString());
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.find("missing.seaside") != std::string::npos, missing.error().message.c_str());
        QVERIFY2(missing.error().message.find("no such file") != std::string::npos, missing.error().message.c_str());
    }

    // A file that SQLite reads cleanly but whose contents contradict each other (edited by hand,
    // or by another tool): refused with what is wrong, never opened half-broken, never modified.
    void inconsistentContentsAreRefusedByName() {
        const plan::Design d = richDesign();
        const QString good = path("consistent.seaside");
        QVERIFY(store::saveProject(d, good.toStdString()).ok());
        const auto &nodes = d.graph.nodes();
        graph::NodeId placed = 0, last = 0, firstConv = 0;
        const graph::Node *block = nullptr;
        for (const auto &[id, cfg] : d.placement)
            if (!cfg.device.empty() && placed == 0)
                placed = id;
        for (const auto &n : nodes) {
            if (n.kind == graph::OpKind::Conv && firstConv == 0)
                firstConv = n.id;
            if (n.kind == graph::OpKind::Block && !block)
                block = &n;
            if (n.kind != graph::OpKind::Output)
                last = n.id;
        }
        QVERIFY(firstConv != 0 && block && block->body);
        const graph::Node *bodyConv = nullptr;
        for (const auto &n : block->body->nodes())
            if (n.kind == graph::OpKind::Conv && !bodyConv)
                bodyConv = &n;
        QVERIFY(bodyConv);
        graph::NodeId bodyLast = 0; // downstream of the body's first conv, in a bottleneck block
        for (const auto &n : block->body->nodes())
            if (n.kind != graph::OpKind::Output && n.kind != graph::OpKind::Input)
                bodyLast = n.id;
        QVERIFY(bodyLast != 0 && bodyLast != bodyConv->id);
        const std::string bodyGraph = "(SELECT body_id FROM nodes WHERE graph_id=0 AND id=" + std::to_string(block->id) + ")";
        const std::string node = std::to_string(placed), name = d.graph.node(placed)->name;
        const std::string conv = std::to_string(firstConv), convName = d.graph.node(firstConv)->name;
        // opensWithWarning: the shape rules refuse it, and the studio opens it as saved to be fixed;
        // everything else is refused there too
        const struct {
            std::string sql, expect;
            bool opensWithWarning = false;
        } cases[] = {
            {"UPDATE placement SET device_id='ghost' WHERE node_id=" + node, "layer '" + name + "' is placed on device 'ghost', which is not on the platform"},
            {"UPDATE placement SET dtype='fp99' WHERE node_id=" + node, "layer '" + name + "' runs at an unknown precision 'fp99'"},
            {"INSERT INTO placement(node_id,device_id,dtype,options) VALUES(999999,NULL,'','{}')", "the placement names node 999999, which is not in the graph"},
            {"INSERT INTO layout(node_id,x,y,expanded) VALUES(999999,0,0,0)", "the layout places node 999999, which is not in the graph"},
            {"UPDATE links SET b='ghost'", "platform: link 'pcie' connects 'fpga0' and 'ghost'"},
            // text passes the schema's CHECK(repeat >= 1), and was read as 0, which no save could write
            // back (found by fuzz_project_file); text in a number column is refused wherever it is
            {"UPDATE nodes SET repeat='many' WHERE graph_id=0 AND id=" + std::to_string(last),
             "the repeat of node '" + d.graph.node(last)->name + "' holds 'many', not a whole number"},
            {"UPDATE edges SET dst_port='second' WHERE graph_id=0 AND seq=0", "an edge's port holds 'second', not a whole number"},
            {"UPDATE layout SET x='left' WHERE node_id=" + node, "the layout of node " + node + ": x holds 'left', not a number"},
            {"UPDATE edges SET src=4294967298 WHERE graph_id=0 AND seq=0", "an edge's node has id 4294967298"},
            {"UPDATE layout SET node_id=-3 WHERE node_id=" + node, "the layout's node has id -3"},
            // read as a 32-bit id it would have become 2, another node's
            {"UPDATE nodes SET id=4294967298 WHERE graph_id=0 AND id=" + std::to_string(last),
             "node '" + d.graph.node(last)->name + "' has id 4294967298; node ids run from 1 to 2147483647"},
            {"INSERT INTO edges(graph_id,seq,src,src_port,dst,dst_port) VALUES(0,999999," + std::to_string(last) + ",0," +
                 std::to_string(firstConv) + ",1)",
             "the graph has a cycle through node"},
            // a cycle inside a block body is structural too, named by the block, not a shape warning
            {"INSERT INTO edges(graph_id,seq,src,src_port,dst,dst_port) VALUES(" + bodyGraph + ",999999," +
                 std::to_string(bodyLast) + ",0," + std::to_string(bodyConv->id) + ",1)",
             "in block '" + block->name + "': the graph has a cycle through node"},
            // attributes the shape rules refuse, which would estimate nonsense and refuse every edit
            {"UPDATE nodes SET attrs=json_set(attrs,'$.kernel',json('[-7,-7]')) WHERE graph_id=0 AND id=" + conv,
             "the shapes do not follow Seaside's rules: node '" + convName + "' (conv): kernel, stride and dilation must be positive", true},
            {"UPDATE nodes SET attrs=json_set(attrs,'$.out_channels',0) WHERE id=" + std::to_string(bodyConv->id) +
                 " AND graph_id=(SELECT body_id FROM nodes WHERE graph_id=0 AND id=" + std::to_string(block->id) + ")",
             "the shapes do not follow Seaside's rules: in block '" + block->name + "': node '" + bodyConv->name +
                 "' (conv): out_channels and groups must be positive",
             true},
            // a repetition takes what the one before gives: a stage's first block widens 64 to 256 channels
            {"UPDATE nodes SET repeat=2 WHERE graph_id=0 AND id=" + std::to_string(block->id),
             "block '" + block->name + "' repeats 2 times, but its body turns [1,64,56,56] into [1,256,56,56]", true},
        };
        for (const auto &c : cases) {
            const QString p = path("inconsistent.seaside");
            QFile::remove(p);
            QVERIFY(QFile::copy(good, p));
            {
                auto db = store::Database::open(p.toStdString(), store::Database::Mode::ReadWriteCreate);
                QVERIFY(db.ok());
                const Status edited = db->exec("PRAGMA foreign_keys = OFF; " + c.sql);
                QVERIFY2(edited.ok(), edited.message().c_str());
            }
            const QByteArray before = fileHash(p);
            auto r = store::openProject(p.toStdString());
            QVERIFY2(!r.ok(), c.sql.c_str());
            QVERIFY2(r.error().message.find(p.toStdString()) != std::string::npos, r.error().message.c_str());
            QVERIFY2(r.error().message.find(c.expect) != std::string::npos, r.error().message.c_str());
            std::vector<std::string> warnings;
            auto studio = store::openProject(p.toStdString(), &warnings);
            QVERIFY2(studio.ok() == c.opensWithWarning, c.sql.c_str());
            const std::string said = studio.ok() ? (warnings.empty() ? std::string() : warnings.front()) : studio.error().message;
            QVERIFY2(said.find(c.expect) != std::string::npos, said.c_str());
            QCOMPARE(fileHash(p), before);
        }
        QVERIFY(store::openProject(good.toStdString()).ok());
        // and none of it can be saved: a save would write a file its own reader refuses
        plan::Design wrong = d;
        wrong.placement[placed].device = "ghost";
        const QByteArray before = fileHash(good);
        const Status saved = store::saveProject(wrong, good.toStdString());
        QVERIFY(!saved.ok());
        QVERIFY2(saved.message().find("not saved, the previous file is untouched: layer '" + name + "' is placed on device 'ghost'") !=
                     std::string::npos,
                 saved.message().c_str());
        QCOMPARE(fileHash(good), before);
        plan::Design badKernel = d;
        badKernel.graph.node(firstConv)->attrs.set("kernel", std::vector<std::int64_t>{0, 3});
        const Status refused = store::saveProject(badKernel, good.toStdString());
        QVERIFY2(refused.message().find("not saved, the previous file is untouched: the shapes do not follow Seaside's rules: node '" +
                                        convName + "'") != std::string::npos,
                 refused.message().c_str());
        QCOMPARE(fileHash(good), before);
    }

    // Blocks sharing a body, then holding equal copies apart (as after an edit upstream and its
    // undo): the file stores the body once either way, and reads it back shared.
    void equalBodiesAreStoredOnce() {
        plan::Design d = richDesign();
        d.placement.clear();
        d.layout.clear();
        const graph::Node *repeated = nullptr; // split in two: two blocks over one body
        for (const auto &n : d.graph.nodes())
            if (n.body && n.repeat >= 2 && !repeated)
                repeated = &n;
        QVERIFY(repeated);
        QVERIFY(graph::splitBlock(d.graph, repeated->name, 2).ok());
        const QString shared = path("shared.seaside"), apart = path("apart.seaside");
        QVERIFY(store::saveProject(d, shared.toStdString()).ok());
        std::map<const graph::Graph *, std::vector<graph::NodeId>> users;
        for (const auto &n : d.graph.nodes())
            if (n.body)
                users[n.body.get()].push_back(n.id);
        std::vector<graph::NodeId> pair;
        for (const auto &[body, ids] : users)
            if (ids.size() >= 2 && pair.empty())
                pair = ids;
        QVERIFY(pair.size() >= 2);
        d.graph.node(pair[1])->body = std::make_shared<const graph::Graph>(*d.graph.node(pair[1])->body);
        QVERIFY(d.graph.node(pair[0])->body != d.graph.node(pair[1])->body);
        QVERIFY(store::saveProject(d, apart.toStdString()).ok());
        const auto graphsIn = [](const QString &p) {
            auto db = store::Database::open(p.toStdString(), store::Database::Mode::ReadOnly);
            auto q = db->prepare("SELECT COUNT(DISTINCT graph_id) FROM nodes");
            if (!q || !q->step())
                return std::int64_t(-1);
            const auto count = q->integer(0, "count");
            return count ? *count : std::int64_t(-1);
        };
        QVERIFY(graphsIn(shared) > 1);
        QCOMPARE(graphsIn(apart), graphsIn(shared));
        auto back = store::openProject(apart.toStdString());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QVERIFY(back->graph == d.graph);
        QVERIFY(back->graph.node(pair[0])->body == back->graph.node(pair[1])->body);
    }

    // A declared output is a record: where a rule derives it, the rule wins on opening, so a
    // hand-edited shape neither changes the estimate nor survives the next save.
    void handEditedShapesGiveWayToTheRules() {
        const plan::Design d = richDesign();
        const QString p = path("reshaped.seaside");
        QVERIFY(store::saveProject(d, p.toStdString()).ok());
        const graph::Node *block = nullptr, *firstPool = nullptr;
        for (const auto &n : d.graph.nodes()) {
            if (n.kind == graph::OpKind::Block && !block)
                block = &n;
            if (n.kind == graph::OpKind::Pool && !firstPool)
                firstPool = &n;
        }
        QVERIFY(block && firstPool);
        {
            auto db = store::Database::open(p.toStdString(), store::Database::Mode::ReadWriteCreate);
            const std::string huge = "json_set(outputs,'$[0].shape[1]',json('9223372036854775807'))";
            QVERIFY(db->exec("UPDATE nodes SET outputs=" + huge + " WHERE graph_id=0 AND id=" + std::to_string(firstPool->id)).ok());
            // every node of the first block's body, its inputs too (fed what reaches the block),
            // and the block itself
            QVERIFY(db->exec("UPDATE nodes SET outputs=json_set(outputs,'$[0].shape[1]',7) WHERE graph_id=(SELECT body_id FROM "
                             "nodes WHERE graph_id=0 AND id=" + std::to_string(block->id) + ")").ok());
            QVERIFY(db->exec("UPDATE nodes SET outputs=json_set(outputs,'$[0].shape[1]',7) WHERE graph_id=0 AND id=" +
                             std::to_string(block->id)).ok());
            auto st = db->prepare("SELECT outputs FROM nodes WHERE graph_id=0 AND id=" + std::to_string(firstPool->id));
            QVERIFY(st && st->step());
            QVERIFY(st->columnText(0).find("9223372036854775807") != std::string::npos); // the edit took
        }
        auto back = store::openProject(p.toStdString());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QVERIFY(back->graph == d.graph); // bodies compared too
    }

    void olderSchemaIsMigratedInMemory() {
        const QString p = path("v1.seaside");
        const plan::Design d = richDesign();
        QVERIFY(store::saveProject(d, p.toStdString()).ok());
        {
            // make it what schema 1 wrote: no expanded column
            auto db = store::Database::open(p.toStdString(), store::Database::Mode::ReadWriteCreate);
            QVERIFY(db->exec("ALTER TABLE layout DROP COLUMN expanded; PRAGMA user_version = 1").ok());
        }
        const QByteArray before = fileHash(p);
        auto back = store::openProject(p.toStdString());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QVERIFY(back->graph == d.graph);
        for (const auto &[id, pos] : back->layout)
            QVERIFY(!pos.expanded);
        QCOMPARE(fileHash(p), before); // opening never writes
    }

    void failedSaveKeepsThePreviousFile() {
        const QString p = path("keep.seaside");
        QVERIFY(store::saveProject(richDesign(), p.toStdString()).ok());
        const QByteArray before = fileHash(p);
        plan::Design broken = richDesign();
        broken.placement[1].device = "no-such-device"; // violates the foreign key
        auto s = store::saveProject(broken, p.toStdString());
        QVERIFY(!s.ok());
        QVERIFY(s.message().find("untouched") != std::string::npos);
        QCOMPARE(fileHash(p), before);
        QVERIFY(!QFile::exists(p + ".tmp"));
        QVERIFY(!store::saveProject(richDesign(), path("no/such/dir/x.seaside").toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestProjectStore)
#include "tst_project_store.moc"
