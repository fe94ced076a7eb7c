#include "graph/templates/templates.h"

#include "graph/templates/template_builder.h"

namespace seaside::graph::templates {

namespace {

const std::vector<TemplateEntry> &registry() {
    static const std::vector<TemplateEntry> entries = [] {
        std::vector<TemplateEntry> all;
        for (auto family : {moeTemplates, gnnTemplates, cnnTemplates, transformerTemplates, eegTemplates})
            for (TemplateEntry &e : family())
                all.push_back(std::move(e));
        return all;
    }();
    return entries;
}

} // namespace

const std::vector<TemplateInfo> &templateList() {
    static const std::vector<TemplateInfo> list = [] {
        std::vector<TemplateInfo> infos;
        for (const TemplateEntry &e : registry())
            infos.push_back(e.info);
        return infos;
    }();
    return list;
}

Expected<Graph> buildTemplate(const std::string &id, const TemplateOptions &opts) {
    for (const TemplateEntry &e : registry())
        if (e.info.id == id) {
            if (Status s = checkOptions(id, opts); !s)
                return makeError(s.message());
            auto g = e.build(opts);
            if (!g)
                return makeError("template '" + id + "': " + g.error().message);
            return g;
        }
    std::string valid;
    for (const TemplateEntry &e : registry())
        valid += (valid.empty() ? "" : ", ") + e.info.id;
    return makeError("unknown template '" + id + "'; valid ids: " + valid);
}

} // namespace seaside::graph::templates
