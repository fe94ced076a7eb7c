#include "cli.h"

#include "backends/device_summary.h"
#include "plan/design_summary.h"
#include "plan/estimate_report.h"
#include "plan/evaluator.h"
#include "store/design_json.h"
#include "store/load_design.h"
#include "store/project_store.h"

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>

namespace seaside::cli {

namespace {

struct Args {
    std::vector<std::string> positional;
    std::string output;
    bool json = false;
    graph::OnnxImportOptions onnx;
    std::string error;
};

Args parse(const std::vector<std::string> &args) {
    Args a;
    for (std::size_t i = 2; i < args.size(); ++i) {
        const std::string &s = args[i];
        if (s == "--json") {
            a.json = true;
        } else if (s == "-o" || s == "--output" || s == "--input") {
            if (i + 1 >= args.size()) {
                a.error = s + " needs a value";
                return a;
            }
            const std::string &v = args[++i];
            if (s == "--input") {
                auto shape = graph::parseInputShape(v);
                if (!shape) {
                    a.error = shape.error().message;
                    return a;
                }
                a.onnx.inputShapes[shape->first] = shape->second;
            } else {
                a.output = v;
            }
        } else if (!s.empty() && s[0] == '-') {
            a.error = "unknown option '" + s + "'";
            return a;
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

int fail(std::ostream &err, const std::string &msg) {
    err << "seaside: " << msg << '\n';
    return 1;
}

int cmdImport(const Args &a, std::ostream &out, std::ostream &err) {
    if (a.positional.size() != 1 || a.output.empty())
        return fail(err, "usage: seaside import MODEL.onnx|DESIGN.json [--input NAME=d0,d1,...] -o OUT.seaside");
    std::vector<std::string> warnings;
    auto d = store::loadDesign(a.positional[0], a.onnx, &warnings);
    if (!d)
        return fail(err, d.error().message);
    for (const auto &w : warnings)
        err << "seaside: warning: " << a.positional[0] << ": " << w << '\n';
    if (Status s = store::saveProject(*d, a.output); !s)
        return fail(err, s.message());
    out << "wrote " << a.output << " (" << d->graph.size() << " nodes)\n";
    return 0;
}

int cmdInfo(const Args &a, std::ostream &out, std::ostream &err) {
    if (a.positional.size() != 1)
        return fail(err, "usage: seaside info FILE [--json]");
    auto d = store::loadDesign(a.positional[0], a.onnx);
    if (!d)
        return fail(err, d.error().message);
    if (a.json)
        out << plan::designSummary(*d).dump(2) << '\n';
    else
        out << plan::designSummaryText(*d);
    return 0;
}

int cmdExportJson(const Args &a, std::ostream &out, std::ostream &err) {
    if (a.positional.size() != 1 || a.output.empty())
        return fail(err, "usage: seaside export-json FILE -o OUT.json");
    auto d = store::loadDesign(a.positional[0], a.onnx);
    if (!d)
        return fail(err, d.error().message);
    if (Status s = store::writeDesignJson(*d, a.output); !s)
        return fail(err, s.message());
    out << "wrote " << a.output << '\n';
    return 0;
}

int cmdEstimate(const Args &a, std::ostream &out, std::ostream &err) {
    if (a.positional.size() != 1)
        return fail(err, "usage: seaside estimate FILE [--json]");
    auto d = store::loadDesign(a.positional[0], a.onnx);
    if (!d)
        return fail(err, d.error().message);
    plan::Evaluator eval;
    const plan::PlanEstimate &e = eval.evaluate(*d);
    if (a.json)
        out << plan::estimateReport(*d, e).dump(2) << '\n';
    else
        out << plan::estimateReportText(*d, e);
    return 0;
}

int cmdDevices(const Args &a, std::ostream &out, std::ostream &err) {
    if (!a.positional.empty() || !a.output.empty() || !a.onnx.inputShapes.empty())
        return fail(err, "usage: seaside devices [--json]");
    const auto devices = backends::summarizeBackends(backends::availableBackends());
    if (a.json)
        out << backends::devicesJson(devices).dump(2) << '\n';
    else
        out << backends::devicesText(devices);
    return 0;
}

using Command = int (*)(const Args &, std::ostream &, std::ostream &);
const std::map<std::string, Command> &commands() {
    static const std::map<std::string, Command> kCommands{
        {"import", cmdImport}, {"info", cmdInfo}, {"export-json", cmdExportJson}, {"estimate", cmdEstimate}, {"devices", cmdDevices}};
    return kCommands;
}

} // namespace

std::string usage() {
    return "Seaside " SEASIDE_VERSION " - design how a model is deployed across heterogeneous hardware\n\n"
           "usage:\n"
           "  seaside [FILE]                                open the studio (on a .seaside, .json or .onnx file)\n"
           "  seaside import MODEL.onnx [--input NAME=d0,d1,...] -o OUT.seaside\n"
           "  seaside import DESIGN.json -o OUT.seaside\n"
           "  seaside info FILE [--json]                    nodes, edges, blocks, params, MACs, op kinds, devices\n"
           "  seaside export-json FILE -o OUT.json          the whole design as diffable JSON\n"
           "  seaside estimate FILE [--json]                latency, energy, throughput per layer, device and in total\n"
           "  seaside devices [--json]                      the compute devices this build found and what each runs\n"
           "  seaside --version | --help\n";
}

bool isCliInvocation(const std::vector<std::string> &args) {
    if (args.size() < 2)
        return false;
    const std::string &c = args[1];
    return c == "--version" || c == "--help" || c == "-h" || commands().count(c) != 0 ||
           (!c.empty() && c[0] == '-');
}

int runCli(const std::vector<std::string> &args, std::ostream &out, std::ostream &err) {
    const std::string cmd = args.size() > 1 ? args[1] : "";
    if (cmd == "--version") {
        out << "seaside " << SEASIDE_VERSION << '\n';
        return 0;
    }
    if (cmd == "--help" || cmd == "-h") {
        out << usage();
        return 0;
    }
    auto it = commands().find(cmd);
    if (it == commands().end()) {
        err << "seaside: unknown command or option '" << cmd << "'\n\n" << usage();
        return 2;
    }
    const Args a = parse(args);
    if (!a.error.empty())
        return fail(err, a.error);
    return it->second(a, out, err);
}

} // namespace seaside::cli
