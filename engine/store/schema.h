#pragma once
#include "core/expected.h"
#include "store/sqlite.h"

namespace seaside::store {

constexpr std::int64_t kApplicationId = 0x53454153; // "SEAS": marks a file as a Seaside project
std::int64_t currentSchemaVersion();

/// Applies every migration after the database's user_version, in one transaction each.
/// A new file is an empty database at version 0.
Status migrate(Database &db);

} // namespace seaside::store
