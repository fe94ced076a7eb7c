#pragma once
#include "core/expected.h"
#include "plan/design.h"

#include <string>
#include <vector>

namespace seaside::store {

/// Writes the whole design as one transaction into a new database beside `path`, then renames
/// it over `path`: a failed or interrupted save leaves the previous file as it was.
Status saveProject(const plan::Design &d, const std::string &path);

/// Opens read-only and never writes to the file: a corrupt file, a non-SQLite file, a SQLite
/// file that is not a Seaside project or one from a newer schema is an error naming the file
/// and the reason. An older schema is migrated in memory; the next save writes the new one.
Expected<plan::Design> openProject(const std::string &path, std::vector<std::string> *warnings = nullptr);

/// True when the file starts with SQLite's header (used to tell .seaside from .json/.onnx).
bool looksLikeSqlite(const std::string &path);

} // namespace seaside::store
