#include "graph/tensor.h"

#include <array>

namespace seaside::graph {

namespace {
struct DTypeInfo {
    DType type;
    std::string_view name;
    double bytes;
};
constexpr std::array<DTypeInfo, 5> kDTypes{{
    {DType::F32, "fp32", 4.0},
    {DType::F16, "fp16", 2.0},
    {DType::BF16, "bf16", 2.0},
    {DType::I8, "int8", 1.0},
    {DType::I4, "int4", 0.5},
}};
} // namespace

double dtypeBytes(DType t) { return kDTypes[std::size_t(t)].bytes; }
std::string_view dtypeName(DType t) { return kDTypes[std::size_t(t)].name; }

std::optional<DType> dtypeFromName(std::string_view name) {
    for (const auto &d : kDTypes)
        if (d.name == name)
            return d.type;
    return std::nullopt;
}

bool TensorDesc::known() const {
    if (shape.empty())
        return true; // a scalar
    for (auto d : shape)
        if (d <= 0)
            return false;
    return true;
}

std::int64_t TensorDesc::elements() const {
    if (!known())
        return 0;
    std::int64_t n = 1;
    for (auto d : shape)
        if (__builtin_mul_overflow(n, d, &n))
            return kTooManyElements;
    return n;
}

std::string shapeString(const std::vector<std::int64_t> &shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ',';
        s += shape[i] > 0 ? std::to_string(shape[i]) : std::string("?");
    }
    return s + "]";
}

} // namespace seaside::graph
