// libFuzzer target: any bytes as a design JSON. designFromJson must answer with a design or an
// error (never a throw, a crash or undefined behaviour), and a design it accepts must evaluate
// (a node id near 2^32 once made the evaluator allocate 16 GB) and survive export and re-import
// unchanged.
#include "plan/evaluator.h"
#include "store/design_json.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0;
    const auto design = seaside::store::designFromJson(j);
    if (!design)
        return 0;
    seaside::plan::Evaluator eval;
    (void)eval.evaluate(*design);
    const auto again = seaside::store::designFromJson(seaside::store::designToJson(*design));
    if (!again) {
        std::fprintf(stderr, "a design that loads does not load again after export: %s\n", again.error().message.c_str());
        std::abort();
    }
    if (!(*again == *design)) {
        std::fprintf(stderr, "a design that loads comes back different after export and re-import\n");
        std::abort();
    }
    return 0;
}
