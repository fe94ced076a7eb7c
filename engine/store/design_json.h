#pragma once
#include "core/expected.h"
#include "plan/design.h"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace seaside::store {

/// The diffable text form of a design (the format of projects/). On import, a design may name
/// a template ("model": {"template": "mixtral-8x7b"}) instead of listing its graph, devices may
/// name a catalogue entry instead of listing their figures, and placement may match node names
/// with shell globs ("layer*"). Export always writes everything out in full.
Expected<plan::Design> designFromJson(const nlohmann::json &j, std::vector<std::string> *warnings = nullptr);
nlohmann::json designToJson(const plan::Design &d);

Expected<plan::Design> readDesignJson(const std::string &path, std::vector<std::string> *warnings = nullptr);
Status writeDesignJson(const plan::Design &d, const std::string &path);

nlohmann::json graphToJson(const graph::Graph &g);
Expected<graph::Graph> graphFromJson(const nlohmann::json &j);
nlohmann::json attrsToJson(const graph::Attrs &a);
/// Attributes from the file; an error for a whole number that does not fit in 64 bits or an
/// array holding anything but whole numbers.
Expected<graph::Attrs> attrsFromJson(const nlohmann::json &j);
nlohmann::json tensorToJson(const graph::TensorDesc &t);
Expected<graph::TensorDesc> tensorFromJson(const nlohmann::json &j);

} // namespace seaside::store
