#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace seaside::cli {

/// True when the arguments ask for a command-line action rather than the studio.
bool isCliInvocation(const std::vector<std::string> &args);

/// Runs a command (`args[0]` is the program). Returns the process exit status; errors go to
/// `err` naming the file and what is wrong.
int runCli(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

std::string usage();

} // namespace seaside::cli
