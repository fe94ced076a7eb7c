// libFuzzer target: a real project file, edited as the input says: a few cells of any table set
// to values a hand edit or another tool might leave (another row's value, a boundary number, a
// short string, NULL), or rows deleted. The file stays a sound SQLite database, so what is
// exercised is Seaside's reading of it: openProject must answer with a design or an error, never
// a crash or a hang; a design it opens must evaluate, and must come back unchanged from a save
// and a re-open. One it opens only with a warning (the shape rules refuse it; the studio opens it
// as saved) must evaluate too, and be refused by a save and by a plain open.
#include "graph/templates/templates.h"
#include "hw/catalogue.h"
#include "plan/evaluator.h"
#include "store/project_store.h"
#include "store/sqlite.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace seaside;

namespace {

struct Table {
    const char *name, *key; // key: the primary key's columns, to pick a row of a WITHOUT ROWID table
    std::vector<const char *> columns;
};
const std::vector<Table> kTables = {
    {"meta", "key", {"key", "value"}},
    {"metadata", "key", {"key", "value"}},
    {"graphs", "id", {"id"}},
    {"nodes", "graph_id, id", {"graph_id", "id", "seq", "name", "kind", "op_type", "attrs", "outputs", "body_id", "repeat"}},
    {"edges", "graph_id, seq", {"graph_id", "seq", "src", "src_port", "dst", "dst_port"}},
    {"devices", "id", {"id", "seq", "spec", "options"}},
    {"links", "id", {"id", "seq", "a", "b", "spec"}},
    {"placement", "graph_id, node_id", {"graph_id", "node_id", "device_id", "dtype", "options"}},
    {"layout", "graph_id, node_id", {"graph_id", "node_id", "x", "y", "expanded"}},
};

const std::int64_t kNumbers[] = {0, 1, -1, 2, 7, 1000, 2147483647, 2147483648, 4294967295, 4294967298,
                                 -2147483648, 9223372036854775807, -9223372036854775807 - 1};

// A project with blocks (BERT's encoder layers), two devices, a link, placement and layout.
std::string seedProject() {
    plan::Design d;
    d.name = "fuzz seed";
    d.graph = *graph::templates::buildTemplate("bert-base");
    const auto &cat = hw::defaultCatalogue();
    d.platform.devices = {{"gpu", *cat.device("nvidia-l4"), {}}, {"fpga", *cat.device("amd-zcu102"), {}}};
    d.platform.links = {{"pcie", "gpu", "fpga", *cat.link("pcie4-x16")}};
    int i = 0;
    for (const auto &n : d.graph.nodes()) {
        d.placement[n.id].device = i % 3 ? "gpu" : "fpga";
        d.placement[n.id].dtype = i % 2 ? "fp16" : "";
        d.layout[n.id] = {double(i) * 10, double(i) * 20, n.kind == graph::OpKind::Block};
        ++i;
    }
    const std::string path = "/dev/shm/seaside_fuzz_seed_" + std::to_string(getpid()) + ".seaside";
    if (Status s = store::saveProject(d, path); !s) {
        std::fprintf(stderr, "seed: %s\n", s.message().c_str());
        std::abort();
    }
    return path;
}

// A boundary number, or a list of 1 to 4 of them, as JSON text.
std::string jsonNumbers(FuzzedDataProvider &in) {
    const auto number = [&] { return std::to_string(kNumbers[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kNumbers) - 1)]); };
    const int count = in.ConsumeIntegralInRange<int>(0, 4);
    if (count == 0)
        return number();
    std::string list = "[";
    for (int i = 0; i < count; ++i)
        list += (i ? "," : "") + number();
    return list + "]";
}

// Inside a node's JSON cell: one attribute (kernel, out_features, perm...) or one output dimension
// set to boundary numbers, the cell still well-formed JSON. This reaches the shape rules' and the
// cost models' arithmetic, which whole-cell edits (a number or a string for the whole object) stop
// short of.
void editJsonCell(store::Database &db, FuzzedDataProvider &in, const std::string &row) {
    const bool attrs = in.ConsumeBool();
    const std::string target = attrs ? "'$.' || (SELECT key FROM json_each(nodes.attrs) LIMIT 1 OFFSET ?2)"
                                     : "'$[0].shape[' || ?2 || ']'";
    const std::string column = attrs ? "attrs" : "outputs";
    auto st = db.prepare("UPDATE nodes SET " + column + " = json_set(" + column + ", " + target + ", json(?1))" + row);
    if (!st)
        return;
    st->bind(1, jsonNumbers(in));
    st->bind(2, std::int64_t(in.ConsumeIntegralInRange<int>(0, 7)));
    (void)st->run(); // a key past the last one leaves the path NULL, and NOT NULL refuses the update
}

void edit(store::Database &db, FuzzedDataProvider &in) {
    const Table &t = kTables[in.ConsumeIntegralInRange<std::size_t>(0, kTables.size() - 1)];
    const std::string row = " WHERE (" + std::string(t.key) + ") IN (SELECT " + t.key + " FROM " + t.name +
                            " LIMIT 1 OFFSET " + std::to_string(in.ConsumeIntegralInRange<int>(0, 40)) + ")";
    if (std::string(t.name) == "nodes" && in.ConsumeBool()) {
        editJsonCell(db, in, row);
        return;
    }
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
        (void)db.exec(std::string("DELETE FROM ") + t.name + row);
        return;
    }
    const std::string column = t.columns[in.ConsumeIntegralInRange<std::size_t>(0, t.columns.size() - 1)];
    auto st = db.prepare(std::string("UPDATE ") + t.name + " SET " + column + " = ?1" + row);
    if (!st)
        return;
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: { // another row's value of the same column: a plausible but wrong reference
        auto other = db.prepare("SELECT " + column + " FROM " + t.name + " LIMIT 1 OFFSET " +
                                std::to_string(in.ConsumeIntegralInRange<int>(0, 40)));
        if (!other || !other->step())
            return;
        if (other->columnIsNull(0))
            st->bindNull(1);
        else
            st->bind(1, other->columnText(0));
        break;
    }
    case 1:
        st->bind(1, kNumbers[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kNumbers) - 1)]);
        break;
    case 2:
        st->bind(1, in.ConsumeFloatingPoint<double>());
        break;
    case 3:
        st->bindNull(1);
        break;
    default:
        st->bind(1, in.ConsumeRandomLengthString(64));
    }
    (void)st->run(); // a constraint may refuse it: then the file simply stays as it was
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static const std::string seed = seedProject();
    const std::string path = "/dev/shm/seaside_fuzz_" + std::to_string(getpid()) + ".seaside";
    const std::string again = path + ".again.seaside";
    std::filesystem::copy_file(seed, path, std::filesystem::copy_options::overwrite_existing);
    {
        auto db = store::Database::open(path, store::Database::Mode::ReadWriteCreate);
        if (!db || !db->exec("PRAGMA foreign_keys = OFF"))
            std::abort();
        FuzzedDataProvider in(data, size);
        for (int edits = in.ConsumeIntegralInRange<int>(1, 4); edits > 0 && in.remaining_bytes() > 0; --edits)
            edit(*db, in);
    }
    // opened as the studio opens it: a design the shape rules refuse comes with a warning, as saved
    std::vector<std::string> warnings;
    auto design = store::openProject(path, &warnings);
    if (!design)
        return 0;
    plan::Evaluator eval;
    (void)eval.evaluate(*design);
    if (!warnings.empty()) { // the studio estimates it as saved; the command line and a save refuse it
        if (store::openProject(path).ok() || store::saveProject(*design, again).ok()) {
            std::fprintf(stderr, "a design opened with a warning is not refused elsewhere: %s\n", warnings[0].c_str());
            std::abort();
        }
        return 0;
    }
    if (Status s = store::saveProject(*design, again); !s) {
        std::fprintf(stderr, "a project that opens cannot be saved: %s\n", s.message().c_str());
        std::abort();
    }
    auto back = store::openProject(again);
    if (!back) {
        std::fprintf(stderr, "a project that opens does not open again after a save: %s\n", back.error().message.c_str());
        std::abort();
    }
    if (!(*back == *design)) {
        std::fprintf(stderr, "a project that opens comes back different after a save and a re-open\n");
        std::abort();
    }
    return 0;
}
