// libFuzzer target: one kernel call on the CPU device, its op, sizes, flags and buffers (sizes and
// contents: row ids, scatter rows, CSR arrays, 2:4 metadata) all from the input. The device must
// run it or refuse it with a reason (never a crash, an out-of-bounds access or undefined
// behaviour), and run() must agree with supports().
#include "backends/backend.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

using namespace seaside::backends;

namespace {

// The input read front to back; past its end every read is 0.
struct Input {
    const std::uint8_t *p;
    std::size_t left;
    std::uint8_t byte() {
        if (!left)
            return 0;
        --left;
        return *p++;
    }
    std::uint32_t word() { return std::uint32_t(byte()) | std::uint32_t(byte()) << 8 | std::uint32_t(byte()) << 16 | std::uint32_t(byte()) << 24; }
    // Mostly the small sizes that reach the kernels, sometimes the edges that must be refused.
    std::int64_t dim() {
        const std::uint8_t mode = byte();
        if (mode < 200)
            return byte() % 70;
        if (mode < 215)
            return -std::int64_t(byte()) - 1;
        if (mode < 235)
            return (std::int64_t(1) << 31) - 2 + byte() % 4;
        if (mode < 250)
            return std::int64_t(word()) * 4096 + byte();
        return std::int64_t(1) << (56 + byte() % 7);
    }
};

// A buffer's contents: raw input bytes, integers below a bound (ids that may be in range), a
// non-decreasing sequence ending at `last` (CSR row pointers), distinct integers (scatter rows), or
// floats in [-1, 1].
std::vector<std::uint8_t> contents(Input &in, std::size_t bytes, std::uint32_t last) {
    std::vector<std::uint8_t> v(bytes);
    const std::uint8_t mode = in.byte() % 5;
    const std::uint32_t bound = 1 + in.byte() % 80, offset = in.byte() % 8;
    std::uint32_t running = 0;
    for (std::size_t i = 0; i + 4 <= bytes; i += 4) {
        std::uint32_t w = 0;
        switch (mode) {
        case 0:
            w = in.word();
            break;
        case 1:
            w = in.byte() % bound;
            break;
        case 2:
            running = std::min(last, running + in.byte() % 4);
            w = i + 8 > bytes ? last : running;
            break;
        case 3:
            w = std::uint32_t(i / 4) + offset;
            break;
        default: {
            const float f = float(int(in.byte()) - 128) / 128.0f;
            std::memcpy(&w, &f, 4);
        }
        }
        std::memcpy(v.data() + i, &w, 4);
    }
    return v;
}

// The bytes each buffer slot (a, b, c, d, e, f, y) takes in a well-formed call of c's op and
// shape; the input then keeps, perturbs or drops each one.
std::size_t wellFormed(const KernelCall &c, int slot) {
    const auto m = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.m, 1 << 12)));
    const auto n = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.n, 1 << 12)));
    const auto k = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.k, 1 << 12)));
    const auto nnz = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.nnz, 1 << 12)));
    const auto yRows = std::size_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.yRows, 1 << 12)));
    const bool scatter = c.epilogue == Epilogue::GateScatterAdd;
    switch (c.op) {
    case Op::Gemm:
        return slot == 0 ? m * k * 4 : slot == 1 ? n * k * 4 : slot == 6 ? m * n * 4 : 0;
    case Op::GemmF16:
        return slot == 0 ? m * k * 2 : slot == 1 ? n * k * 2 : slot == 6 ? m * n * 4 : 0;
    case Op::Ssmm24: {
        const std::size_t sizes[7] = {(m + 3) * k * 4, n * (k / 2) * 4, n * ((k / 4 + 7) / 8) * 4, m * 4,
                                      scatter ? m * 4 : m * n * 4, m * 4, (scatter ? yRows : m) * n * 4};
        return sizes[slot];
    }
    case Op::CsrSpmm: {
        const std::size_t sizes[7] = {(m + 1) * 4, nnz * 4, nnz * 4, k * n * 4, 0, 0, m * n * 4};
        return sizes[slot];
    }
    case Op::TopKGates:
        return slot == 0 ? m * n * 4 : slot == 6 ? 8 * m * k : 0;
    }
    return 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static Device *const cpu = availableDevices().front();
    Input in{data, size};
    KernelCall c;
    c.op = Op(in.byte() % 5);
    c.m = in.dim();
    c.n = in.dim();
    c.k = in.dim();
    c.nnz = in.dim();
    c.yRows = in.dim();
    c.epilogue = Epilogue(in.byte() % 3);
    c.aggregation = Aggregation(in.byte() % 3);
    c.accumulate = in.byte() & 1;
    c.label = "fuzz";

    // Each buffer slot: the size a well-formed call takes, one a little off, any size up to 32 KB,
    // or none (CPU buffers are heap blocks: ASan sees any access past one).
    std::unique_ptr<Buffer> owned[7];
    Buffer **slots[7] = {&c.a, &c.b, &c.c, &c.d, &c.e, &c.f, &c.y};
    for (int i = 0; i < 7; ++i) {
        const std::uint8_t how = in.byte();
        std::size_t bytes = wellFormed(c, i);
        if (how >= 160 && how < 200)
            bytes = bytes + 4 * (in.byte() % 5) - std::min<std::size_t>(bytes, 4 * (in.byte() % 5));
        else if (how >= 200 && how < 230)
            bytes = (std::size_t(in.byte()) << 7 | in.byte()) % (32 << 10);
        else if (how >= 230 || (bytes == 0 && how >= 80))
            continue;
        if (bytes > (std::size_t(1) << 22))
            continue;
        auto b = cpu->allocate(bytes);
        if (!b.ok())
            return 0;
        const auto v = contents(in, bytes, std::uint32_t(std::max<std::int64_t>(0, std::min<std::int64_t>(c.nnz, 1 << 30))));
        if (!v.empty())
            (*b)->upload(v.data(), v.size());
        owned[i] = std::move(*b);
        *slots[i] = owned[i].get();
    }

    std::string why;
    const bool supported = cpu->supports(c, &why);
    if (!supported && why.empty()) {
        std::fprintf(stderr, "supports() refused a call without a reason\n");
        std::abort();
    }
    const seaside::Status s = cpu->run({c});
    if (supported && !s.ok()) {
        // data-dependent checks (ids out of range, repeated scatter rows) come only with run()
        if (s.message().empty()) {
            std::fprintf(stderr, "run() failed without a reason\n");
            std::abort();
        }
    }
    if (!supported && s.ok()) {
        std::fprintf(stderr, "run() ran a call supports() refused (%s)\n", why.c_str());
        std::abort();
    }
    return 0;
}
