#include "store/schema.h"

#include <array>
#include <string>

namespace seaside::store {

namespace {
// Forward migrations: entry i takes a file from version i to i + 1. Never edit a shipped
// entry; add a new one.
constexpr std::array<const char *, 2> kMigrations{
    // 0 -> 1: the first schema.
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE metadata(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE graphs(id INTEGER PRIMARY KEY);
CREATE TABLE nodes(
    graph_id INTEGER NOT NULL REFERENCES graphs(id),
    id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    op_type TEXT NOT NULL,
    attrs TEXT NOT NULL,
    outputs TEXT NOT NULL,
    body_id INTEGER REFERENCES graphs(id),
    repeat INTEGER NOT NULL CHECK(repeat >= 1),
    PRIMARY KEY(graph_id, id)) WITHOUT ROWID;
CREATE TABLE edges(
    graph_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    src INTEGER NOT NULL, src_port INTEGER NOT NULL,
    dst INTEGER NOT NULL, dst_port INTEGER NOT NULL,
    PRIMARY KEY(graph_id, seq),
    FOREIGN KEY(graph_id, src) REFERENCES nodes(graph_id, id),
    FOREIGN KEY(graph_id, dst) REFERENCES nodes(graph_id, id)) WITHOUT ROWID;
CREATE TABLE devices(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, spec TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}');
CREATE TABLE links(
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
    a TEXT NOT NULL REFERENCES devices(id), b TEXT NOT NULL REFERENCES devices(id),
    spec TEXT NOT NULL);
CREATE TABLE placement(
    graph_id INTEGER NOT NULL DEFAULT 0 CHECK(graph_id = 0),
    node_id INTEGER NOT NULL,
    device_id TEXT REFERENCES devices(id),
    dtype TEXT NOT NULL,
    options TEXT NOT NULL,
    PRIMARY KEY(graph_id, node_id),
    FOREIGN KEY(graph_id, node_id) REFERENCES nodes(graph_id, id)) WITHOUT ROWID;
CREATE TABLE layout(
    graph_id INTEGER NOT NULL DEFAULT 0 CHECK(graph_id = 0),
    node_id INTEGER NOT NULL,
    x REAL NOT NULL, y REAL NOT NULL,
    PRIMARY KEY(graph_id, node_id),
    FOREIGN KEY(graph_id, node_id) REFERENCES nodes(graph_id, id)) WITHOUT ROWID;
)sql",
    // 1 -> 2: blocks remember whether they are shown expanded on the canvas.
    R"sql(
ALTER TABLE layout ADD COLUMN expanded INTEGER NOT NULL DEFAULT 0;
)sql",
};
} // namespace

std::int64_t currentSchemaVersion() { return std::int64_t(kMigrations.size()); }

Status migrate(Database &db) {
    auto version = db.pragmaInt("user_version");
    if (!version)
        return version.error();
    for (auto v = *version; v < currentSchemaVersion(); ++v) {
        const std::string sql = std::string("BEGIN;") + kMigrations[std::size_t(v)] +
                                "PRAGMA user_version = " + std::to_string(v + 1) + ";COMMIT;";
        if (Status s = db.exec(sql); !s) {
            db.exec("ROLLBACK");
            return makeError("migrating the schema from version " + std::to_string(v) + ": " + s.message());
        }
    }
    return {};
}

} // namespace seaside::store
