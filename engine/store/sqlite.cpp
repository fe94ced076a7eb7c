#include "store/sqlite.h"

#include <sqlite3.h>
#include <utility>

namespace seaside::store {

Statement::Statement(Statement &&o) noexcept
    : m_db(std::exchange(o.m_db, nullptr)), m_stmt(std::exchange(o.m_stmt, nullptr)), m_error(std::move(o.m_error)) {}

Statement &Statement::operator=(Statement &&o) noexcept {
    if (this != &o) {
        sqlite3_finalize(m_stmt);
        m_db = std::exchange(o.m_db, nullptr);
        m_stmt = std::exchange(o.m_stmt, nullptr);
        m_error = std::move(o.m_error);
    }
    return *this;
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement &Statement::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}
Statement &Statement::bind(int i, double v) {
    sqlite3_bind_double(m_stmt, i, v);
    return *this;
}
Statement &Statement::bind(int i, const std::string &v) {
    sqlite3_bind_text(m_stmt, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement &Statement::bindNull(int i) {
    sqlite3_bind_null(m_stmt, i);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        m_error = sqlite3_errmsg(m_db);
    return false;
}

Status Statement::run() {
    while (step()) {
    }
    reset();
    if (!m_error.empty())
        return makeError(std::exchange(m_error, {}));
    return {};
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::columnInt(int i) const { return sqlite3_column_int64(m_stmt, i); }
double Statement::columnDouble(int i) const { return sqlite3_column_double(m_stmt, i); }
std::string Statement::columnText(int i) const {
    const auto *t = sqlite3_column_text(m_stmt, i);
    return t ? std::string(reinterpret_cast<const char *>(t), std::size_t(sqlite3_column_bytes(m_stmt, i))) : std::string();
}
bool Statement::columnIsNull(int i) const { return sqlite3_column_type(m_stmt, i) == SQLITE_NULL; }

Expected<std::int64_t> Statement::integer(int i, const std::string &what) const {
    if (sqlite3_column_type(m_stmt, i) == SQLITE_INTEGER)
        return columnInt(i);
    return makeError(what + " holds '" + columnText(i) + "', not a whole number");
}

Expected<double> Statement::real(int i, const std::string &what) const {
    const int type = sqlite3_column_type(m_stmt, i);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
        return columnDouble(i);
    return makeError(what + " holds '" + columnText(i) + "', not a number");
}

Expected<Database> Database::open(const std::string &path, Mode mode) {
    sqlite3 *db = nullptr;
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const std::string target = mode == Mode::Memory ? std::string(":memory:") : path;
    if (sqlite3_open_v2(target.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        return makeError(msg);
    }
    sqlite3_extended_result_codes(db, 1);
    Database d(db);
    if (Status s = d.exec("PRAGMA foreign_keys = ON"); !s)
        return makeError(s.message());
    return d;
}

Database::Database(Database &&o) noexcept : m_db(std::exchange(o.m_db, nullptr)) {}

Database &Database::operator=(Database &&o) noexcept {
    if (this != &o) {
        sqlite3_close(m_db);
        m_db = std::exchange(o.m_db, nullptr);
    }
    return *this;
}

Database::~Database() { sqlite3_close(m_db); }

Status Database::exec(const std::string &sql) {
    char *err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(m_db);
        sqlite3_free(err);
        return makeError(msg);
    }
    return {};
}

Expected<Statement> Database::prepare(const std::string &sql) {
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), int(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return makeError(sqlite3_errmsg(m_db));
    return Statement(m_db, stmt);
}

Expected<std::int64_t> Database::pragmaInt(const std::string &name) {
    auto st = prepare("PRAGMA " + name);
    if (!st)
        return st.error();
    if (!st->step())
        return makeError(st->error().empty() ? "PRAGMA " + name + " returned nothing" : st->error());
    return st->columnInt(0);
}

Status Database::copyInto(Database &dest) {
    sqlite3_backup *b = sqlite3_backup_init(dest.m_db, "main", m_db, "main");
    if (!b)
        return makeError(sqlite3_errmsg(dest.m_db));
    const int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return makeError(sqlite3_errstr(rc));
    return {};
}

} // namespace seaside::store
