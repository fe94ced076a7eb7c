#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seaside::graph {

enum class DType : std::uint8_t { F32, F16, BF16, I8, I4 };

double dtypeBytes(DType t); // bytes per element (int4 = 0.5)
std::string_view dtypeName(DType t);
std::optional<DType> dtypeFromName(std::string_view name);

/// What TensorDesc::elements() gives for a shape whose element count overflows 64 bits (a
/// malformed file); shape inference refuses such a tensor.
inline constexpr std::int64_t kTooManyElements = INT64_MAX;

/// A tensor's type as it flows along an edge. A dimension <= 0 is unknown (dynamic).
struct TensorDesc {
    std::vector<std::int64_t> shape;
    DType dtype = DType::F32;

    bool known() const;            // every dimension concrete
    std::int64_t elements() const; // 0 when not known, kTooManyElements past 63 bits
    double bytes() const { return double(elements()) * dtypeBytes(dtype); }
    bool operator==(const TensorDesc &) const = default;
};

std::string shapeString(const std::vector<std::int64_t> &shape);

} // namespace seaside::graph
