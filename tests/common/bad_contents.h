#pragma once
// Kernel calls whose shapes are fine and whose contents are not, each with the words every device
// must refuse it in (backends/call_contents.h): tst_backend_ops runs them on every device here,
// tests/bench/gpu_check.cpp on a GPU's CUDA and Vulkan.
#include "backends/backend.h"
#include "random_data.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace seaside::testing {

struct BadContents {
    const char *fault;    // what is wrong
    const char *expected; // what the error must say
};

inline std::vector<BadContents> badContentsCases() {
    return {{"csr column", "CSR: entry 1 has column 9, outside 0..3"},
            {"csr pointers", "CSR: row pointer decreases at row 1"},
            {"csr end", "CSR: row pointers must run from 0 to nnz"},
            {"metadata", "2:4 format: row 1, group 1 has metadata positions 1,1"},
            {"row id", "row id 77 at 1 is outside X's 2 rows"},
            {"scatter outside", "scatter row 77 at 1 is outside Y's 4 rows"},
            {"scatter repeat", "scatter row 3 at 2 repeats the one at 0"},
            {"samoyeds index", "Samoyeds format: row index 7 is outside its group of 4"},
            {"samoyeds order", "Samoyeds format: row indices 2, 1 of one group do not ascend (entry 1)"}};
}

/// The call for `fault` on `dev`, labelled "graph" or "expert"; its buffers go to `keep`.
inline backends::KernelCall badContentsCall(backends::Device &dev, const std::string &f,
                                            std::vector<std::unique_ptr<backends::Buffer>> &keep) {
    using namespace backends;
    auto put = [&](const auto &values) -> Buffer * {
        auto b = dev.allocate(std::max<std::size_t>(4, values.size() * sizeof(values[0])));
        if (!b.ok())
            return nullptr;
        (*b)->upload(values.data(), values.size() * sizeof(values[0]));
        return keep.emplace_back(std::move(*b)).get();
    };
    if (f.rfind("csr", 0) == 0) { // 3 rows, 4 columns, 4 features, 2 entries
        const std::vector<std::int32_t> rowPtr = f == "csr pointers" ? std::vector<std::int32_t>{0, 2, 1, 2}
                                                 : f == "csr end"    ? std::vector<std::int32_t>{0, 1, 2, 3}
                                                                     : std::vector<std::int32_t>{0, 1, 2, 2};
        const std::vector<std::int32_t> cols = f == "csr column" ? std::vector<std::int32_t>{0, 9} : std::vector<std::int32_t>{0, 3};
        return {Op::CsrSpmm, put(rowPtr), put(cols), put(std::vector<float>{1, 1}), put(std::vector<float>(16)),
                put(std::vector<float>(12)), 3, 4, 4, 2, "graph"};
    }
    if (f.rfind("samoyeds", 0) == 0) { // X 2 x 32, W 4 x 32 as 2:4 of 4 kept in one block of 32 columns
        const std::vector<std::uint32_t> indices = f == "samoyeds index" ? std::vector<std::uint32_t>{0, 7}
                                                                         : std::vector<std::uint32_t>{2, 1};
        KernelCall c{Op::Ssmm24, put(randomVector(64, 1)), put(randomVector(32, 2)),
                     put(std::vector<std::uint32_t>{0x44444444u, 0x44444444u}), nullptr, put(std::vector<float>(8)), 2, 4, 32,
                     0, "expert"};
        c.g = put(indices);
        c.selection = {2, 4, 32};
        return c;
    }
    // X 2 x 8 (3 x 8 for the scatter-adds), W 3 x 8 in 2:4 (positions 0,1 everywhere: nibble 4)
    std::vector<std::uint32_t> meta{0x44u, 0x44u, 0x44u};
    if (f == "metadata")
        meta[1] = 0x54u; // row 1, group 1: positions 1,1
    const std::vector<std::uint32_t> ids = f == "row id" || f == "scatter outside" ? std::vector<std::uint32_t>{0, 77, 1}
                                                                                  : std::vector<std::uint32_t>{3, 1, 3};
    KernelCall c{Op::Ssmm24, put(randomVector(16, 1)), put(randomVector(12, 2)), put(meta), nullptr,
                 put(std::vector<float>(12)), f == "metadata" ? 2 : 3, 3, 8, 0, "expert"};
    if (f == "row id")
        c.d = put(ids);
    if (f.rfind("scatter", 0) == 0) {
        c.a = put(randomVector(24, 1));
        c.epilogue = Epilogue::GateScatterAdd;
        c.e = put(std::vector<float>{1, 1, 1});
        c.f = put(ids);
        c.yRows = 4;
    }
    return c;
}

} // namespace seaside::testing
