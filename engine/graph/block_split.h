#pragma once
#include "core/expected.h"
#include "graph/graph.h"

namespace seaside::graph {

/// Splits a repeated block (`layers` x32) into `parts` consecutive blocks over the same shared
/// body (x8, x8, x8, x8), so that each part can sit on its own device. The block must have one
/// input and one output; repeat counts differ by at most one between parts. The parts are named
/// "<name>.p0", "<name>.p1", ...
Status splitBlock(Graph &g, const std::string &blockName, int parts);

} // namespace seaside::graph
