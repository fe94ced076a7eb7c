#pragma once
#include "core/expected.h"
#include "plan/design.h"

#include <string>
#include <vector>

namespace seaside::plan {

/// What a design must satisfy to be saved and opened again, whatever the file's format: node ids
/// in 1..kMaxNodeId, a platform whose links name its own devices, a graph without a cycle whose
/// nodes (block bodies included) pass Seaside's shape rules (run on a copy), placement and layout
/// entries only for nodes the graph has, layers placed only on the platform's devices and at known
/// precisions. The error names the node, device or precision. The project store runs it before it
/// saves; the loaders run settleLoadedDesign (the JSON loader, resolving names as it reads, meets
/// most of these earlier in its own words).
Status checkDesign(const Design &d);

/// What the loaders run on a design they have read: checkDesign's checks, with the shape rules
/// applied to the design itself (block bodies included) rather than to a copy. The shapes a file
/// declares are a record; where a rule derives a node's output, the rule's wins, so a hand-edited
/// shape cannot make the estimate nonsense, and a file opens as the studio would have saved it.
/// A design the rules refuse (a repeated block that pools; an edit upstream of a block, saved by
/// a Seaside whose blocks kept their shapes) is refused; with `warnings`, it is kept as saved and
/// the refusal goes there instead, so that the user can open it and undo what the rules refuse
/// (until then, edits elsewhere and saving are refused, naming it).
Status settleLoadedDesign(Design &d, std::vector<std::string> *warnings = nullptr);

/// A node id as a file holds it (64 bits wide), or an error naming the node: ids run from 1 to
/// kMaxNodeId. Read into a NodeId first, 4294967298 would silently become node 2.
Status checkNodeId(std::int64_t id, const std::string &node);

} // namespace seaside::plan
