#include "hw/catalogue.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace seaside::hw {

using nlohmann::json;

namespace {

// Reads a required (or optional) number and rejects values that no real device has.
struct FieldReader {
    const json &j;
    std::string owner; // "device 'nvidia-h100-sxm'"
    std::string error;

    double number(const char *field, bool required, bool allowZero) {
        if (!error.empty())
            return 0;
        if (!j.contains(field)) {
            if (required)
                error = owner + ": field '" + field + "' is missing";
            return 0;
        }
        if (!j[field].is_number()) {
            error = owner + ": field '" + field + "' must be a number";
            return 0;
        }
        const double v = j[field].get<double>();
        if (v < 0 || (!allowZero && v == 0))
            error = owner + ": field '" + field + "' must be " + (allowZero ? "non-negative" : "positive") +
                    ", got " + j[field].dump();
        return v;
    }

    // A count (LUTs, DSPs): a number as above that also fits in 63 bits, so that the cast to an
    // integer is defined and the value survives a save and a reload.
    std::int64_t count(const char *field, bool required, bool allowZero) {
        const double v = number(field, required, allowZero);
        if (error.empty() && !(v < 9.2e18))
            error = owner + ": field '" + field + "' = " + j[field].dump() + " is too large for a count";
        return error.empty() ? std::int64_t(v) : 0;
    }
};

std::map<std::string, std::string> stringMap(const json &j, const char *field) {
    std::map<std::string, std::string> m;
    if (j.contains(field) && j[field].is_object())
        for (auto it = j[field].begin(); it != j[field].end(); ++it)
            if (it->is_string())
                m[it.key()] = it->get<std::string>();
    return m;
}

Expected<std::map<graph::DType, double>> peaks(const json &j, const char *field, const std::string &owner) {
    std::map<graph::DType, double> m;
    if (!j.contains(field))
        return m;
    if (!j[field].is_object())
        return makeError(owner + ": field '" + field + "' must be an object of dtype -> ops/s");
    for (auto it = j[field].begin(); it != j[field].end(); ++it) {
        auto t = graph::dtypeFromName(it.key());
        if (!t)
            return makeError(owner + ": field '" + field + "' names an unknown dtype '" + it.key() + "'");
        if (!it->is_number() || it->get<double>() <= 0)
            return makeError(owner + ": field '" + field + "." + it.key() + "' must be a positive number");
        m[*t] = it->get<double>();
    }
    return m;
}

json peaksToJson(const std::map<graph::DType, double> &m) {
    json j = json::object();
    for (auto [t, v] : m)
        j[std::string(graph::dtypeName(t))] = v;
    return j;
}

} // namespace

Expected<DeviceSpec> deviceFromJson(const json &j) {
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        return makeError("a device entry has no string 'id'");
    DeviceSpec d;
    d.id = j["id"].get<std::string>();
    const std::string owner = "device '" + d.id + "'";
    d.name = j.value("name", d.id);
    auto kind = deviceKindFromName(j.value("kind", std::string()));
    if (!kind)
        return makeError(owner + ": field 'kind' must be one of gpu, fpga, cpu, npu");
    d.kind = *kind;
    d.source = j.value("source", std::string());
    if (d.source.empty())
        return makeError(owner + ": field 'source' is missing: every figure needs its datasheet");
    d.fieldSources = stringMap(j, "field_sources");
    d.notes = j.value("notes", std::string());
    auto dense = peaks(j, "peak_ops", owner);
    if (!dense)
        return dense.error();
    if (dense->empty())
        return makeError(owner + ": field 'peak_ops' must name at least one dtype");
    d.peakOps = *dense;
    auto sparse = peaks(j, "peak_ops_sparse", owner);
    if (!sparse)
        return sparse.error();
    d.peakOpsSparse = *sparse;

    FieldReader r{j, owner, {}};
    d.memCapacity = r.number("mem_capacity", true, false);
    d.memBandwidth = r.number("mem_bandwidth", true, false);
    d.onchipMemory = r.number("onchip_memory", false, true);
    d.idlePower = r.number("idle_power", true, false);
    d.maxPower = r.number("max_power", true, false);
    d.computeUnits = int(r.number("compute_units", false, true));
    d.clockHz = r.number("clock_hz", false, true);
    if (!r.error.empty())
        return makeError(r.error);
    if (d.maxPower < d.idlePower)
        return makeError(owner + ": field 'max_power' (" + std::to_string(d.maxPower) +
                         " W) is below 'idle_power' (" + std::to_string(d.idlePower) + " W)");

    if (j.contains("dvfs")) {
        for (const json &lvl : j["dvfs"]) {
            FieldReader lr{lvl, owner + " dvfs level", {}};
            DvfsLevel l{lr.number("freq_hz", true, false), lr.number("throughput_scale", true, false),
                        lr.number("power", true, false)};
            if (!lr.error.empty())
                return makeError(lr.error);
            d.dvfs.push_back(l);
        }
        std::sort(d.dvfs.begin(), d.dvfs.end(), [](auto &a, auto &b) { return a.freqHz < b.freqHz; });
    }
    if (j.contains("fpga")) {
        const json &f = j["fpga"];
        FieldReader fr{f, owner + " fpga", {}};
        FpgaResources res;
        res.lut = fr.count("lut", true, false);
        res.ff = fr.count("ff", true, false);
        res.dsp = fr.count("dsp", true, false);
        res.bram = fr.count("bram", true, true);
        res.uram = fr.count("uram", false, true);
        if (!fr.error.empty())
            return makeError(fr.error);
        d.fpga = res;
    } else if (d.kind == DeviceKind::Fpga) {
        return makeError(owner + ": an FPGA needs a 'fpga' object with its LUT, FF, DSP and BRAM counts");
    }
    return d;
}

json deviceToJson(const DeviceSpec &d) {
    json j{{"id", d.id},
           {"name", d.name},
           {"kind", std::string(deviceKindName(d.kind))},
           {"source", d.source},
           {"peak_ops", peaksToJson(d.peakOps)},
           {"mem_capacity", d.memCapacity},
           {"mem_bandwidth", d.memBandwidth},
           {"onchip_memory", d.onchipMemory},
           {"idle_power", d.idlePower},
           {"max_power", d.maxPower},
           {"compute_units", d.computeUnits},
           {"clock_hz", d.clockHz}};
    if (!d.fieldSources.empty())
        j["field_sources"] = d.fieldSources;
    if (!d.notes.empty())
        j["notes"] = d.notes;
    if (!d.peakOpsSparse.empty())
        j["peak_ops_sparse"] = peaksToJson(d.peakOpsSparse);
    if (!d.dvfs.empty()) {
        j["dvfs"] = json::array();
        for (const auto &l : d.dvfs)
            j["dvfs"].push_back({{"freq_hz", l.freqHz}, {"throughput_scale", l.throughputScale}, {"power", l.power}});
    }
    if (d.fpga)
        j["fpga"] = {{"lut", d.fpga->lut}, {"ff", d.fpga->ff}, {"dsp", d.fpga->dsp},
                     {"bram", d.fpga->bram}, {"uram", d.fpga->uram}};
    return j;
}

Expected<LinkSpec> linkFromJson(const json &j) {
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        return makeError("a link entry has no string 'id'");
    LinkSpec l;
    l.id = j["id"].get<std::string>();
    const std::string owner = "link '" + l.id + "'";
    l.name = j.value("name", l.id);
    l.source = j.value("source", std::string());
    if (l.source.empty())
        return makeError(owner + ": field 'source' is missing");
    l.fieldSources = stringMap(j, "field_sources");
    FieldReader r{j, owner, {}};
    l.bandwidth = r.number("bandwidth", true, false);
    l.latency = r.number("latency", true, true);
    l.energyPerByte = r.number("energy_per_byte", true, true);
    if (!r.error.empty())
        return makeError(r.error);
    return l;
}

json linkToJson(const LinkSpec &l) {
    json j{{"id", l.id},
           {"name", l.name},
           {"source", l.source},
           {"bandwidth", l.bandwidth},
           {"latency", l.latency},
           {"energy_per_byte", l.energyPerByte}};
    if (!l.fieldSources.empty())
        j["field_sources"] = l.fieldSources;
    return j;
}

const DeviceSpec *Catalogue::device(const std::string &id) const {
    for (const auto &d : devices)
        if (d.id == id)
            return &d;
    return nullptr;
}

const LinkSpec *Catalogue::link(const std::string &id) const {
    for (const auto &l : links)
        if (l.id == id)
            return &l;
    return nullptr;
}

std::string resourceDir() {
    if (const char *env = std::getenv("SEASIDE_RESOURCES"); env && *env)
        return env;
    return SEASIDE_RESOURCE_DIR;
}

Expected<Catalogue> loadCatalogue(const std::string &dirArg) {
    namespace fs = std::filesystem;
    const fs::path dir = dirArg.empty() ? fs::path(resourceDir()) / "devices" : fs::path(dirArg);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return makeError("device catalogue folder '" + dir.string() + "' does not exist");
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".json")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    Catalogue cat;
    for (const auto &file : files) {
        std::ifstream in(file);
        json j = json::parse(in, nullptr, false);
        if (j.is_discarded())
            return makeError(file.string() + ": not valid JSON");
        for (const json &d : j.value("devices", json::array())) {
            auto spec = deviceFromJson(d);
            if (!spec)
                return makeError(file.string() + ": " + spec.error().message);
            if (cat.device(spec->id))
                return makeError(file.string() + ": device '" + spec->id + "' is defined twice");
            cat.devices.push_back(*spec);
        }
        for (const json &l : j.value("links", json::array())) {
            auto spec = linkFromJson(l);
            if (!spec)
                return makeError(file.string() + ": " + spec.error().message);
            cat.links.push_back(*spec);
        }
    }
    return cat;
}

const Catalogue &defaultCatalogue() {
    static const Catalogue cat = [] {
        auto c = loadCatalogue();
        return c ? *c : Catalogue{};
    }();
    return cat;
}

} // namespace seaside::hw
