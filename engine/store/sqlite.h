#pragma once
// A thin RAII layer over SQLite's C API: a Database owns the connection, a Statement owns a
// prepared statement. Errors are returned, never thrown, and carry sqlite3_errmsg.
#include "core/expected.h"

#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace seaside::store {

class Statement {
public:
    Statement() = default;
    Statement(sqlite3 *db, sqlite3_stmt *stmt) : m_db(db), m_stmt(stmt) {}
    Statement(Statement &&o) noexcept;
    Statement &operator=(Statement &&o) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    Statement &bind(int i, std::int64_t v);
    Statement &bind(int i, double v);
    Statement &bind(int i, const std::string &v);
    Statement &bindNull(int i);

    /// true while a row is available; an error ends the loop and is kept in error().
    bool step();
    Status run(); // step to completion, then reset for the next binding
    void reset();

    std::int64_t columnInt(int i) const;
    double columnDouble(int i) const;
    /// The column as a whole number, or an error saying `what` holds something else: SQLite keeps
    /// what it is given (text in an INTEGER column stays text), and columnInt would read it as 0.
    Expected<std::int64_t> integer(int i, const std::string &what) const;
    /// The column as a number (whole or not), or an error as for integer().
    Expected<double> real(int i, const std::string &what) const;
    std::string columnText(int i) const;
    bool columnIsNull(int i) const;
    const std::string &error() const { return m_error; }

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    std::string m_error;
};

class Database {
public:
    enum class Mode { ReadOnly, ReadWriteCreate, Memory };
    static Expected<Database> open(const std::string &path, Mode mode);

    Database() = default;
    Database(Database &&o) noexcept;
    Database &operator=(Database &&o) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    Status exec(const std::string &sql); // statements without parameters (DDL, pragmas)
    Expected<Statement> prepare(const std::string &sql);
    Expected<std::int64_t> pragmaInt(const std::string &name);
    Status copyInto(Database &dest); // the online backup API: the whole database into `dest`
    sqlite3 *handle() const { return m_db; }

private:
    explicit Database(sqlite3 *db) : m_db(db) {}
    sqlite3 *m_db = nullptr;
};

} // namespace seaside::store
