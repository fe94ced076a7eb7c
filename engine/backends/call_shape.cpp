// The parts of backend.h every backend shares and that depend on nothing else (so that the GPU
// check can build the CUDA backend alone on a machine without the studio's libraries).
#include "backends/backend.h"

#include <algorithm>
#include <initializer_list>
#include <limits>

namespace seaside::backends {

const char *opName(Op op) {
    switch (op) {
    case Op::Gemm:
        return "gemm";
    case Op::Ssmm24:
        return "ssmm24";
    case Op::CsrSpmm:
        return "csr_spmm";
    case Op::TopKGates:
        return "topk_gates";
    case Op::GemmF16:
        return "gemm_f16";
    }
    return "?";
}

namespace {
constexpr std::size_t kOverflow = std::numeric_limits<std::size_t>::max();

// The bytes of a shape, kOverflow where the product does not fit. With every size capped at
// 2^31-1 (below) no product here can wrap; the check keeps it so if a cap or a shape changes (a
// 4-byte buffer once passed for 2^62 rows because the product wrapped round to 0).
std::size_t product(std::initializer_list<std::size_t> factors) {
    std::size_t r = 1;
    for (std::size_t x : factors)
        if (__builtin_mul_overflow(r, x, &r))
            return kOverflow;
    return r;
}

bool need(const Buffer *b, std::size_t bytes, const char *what, std::string *why) {
    if (bytes == kOverflow) {
        if (why)
            *why = std::string(what) + " buffer would need more bytes than a size can hold (the shape overflows)";
        return false;
    }
    if (!b) {
        if (why)
            *why = std::string(what) + " buffer is missing";
        return false;
    }
    if (b->size() < bytes) {
        if (why)
            *why = std::string(what) + " buffer holds " + std::to_string(b->size()) + " bytes, the call needs " +
                   std::to_string(bytes);
        return false;
    }
    return true;
}
// Samoyeds' row selection (KernelCall::selection) against the call's shape.
bool selectionValid(const KernelCall &c, std::string *why) {
    const RowSelection &r = c.selection;
    std::string fault;
    // M past 64 is no format anyone prunes to, and the CPU kernel's per-thread tiles grow with it
    if (r.kept < 1 || r.group < r.kept || r.group > 64)
        fault = "needs 1 <= N <= M <= 64";
    else if (r.block < 32 || r.block % 32)
        fault = "needs V a positive multiple of 32";
    else if (c.n % r.group)
        fault = "needs n divisible by M";
    else if (c.k % r.block)
        fault = "needs k divisible by V";
    if (fault.empty())
        return true;
    if (why)
        *why = "Samoyeds' row selection " + std::to_string(r.kept) + ":" + std::to_string(r.group) + " over " +
               std::to_string(r.block) + " columns " + fault + " (n = " + std::to_string(c.n) + ", k = " +
               std::to_string(c.k) + ")";
    return false;
}
} // namespace

bool callShapeValid(const KernelCall &c, std::string *why) {
    if (c.m < 0 || c.n < 0 || c.k < 0 || c.nnz < 0 || c.yRows < 0) {
        if (why)
            *why = "negative dimension";
        return false;
    }
    // Every backend indexes with 32 bits somewhere (OpenBLAS's int sizes, the shaders' uint).
    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
    if (c.m > kMax || c.n > kMax || c.k > kMax || c.nnz > kMax || c.yRows > kMax) {
        if (why)
            *why = "sizes must lie in 0..2^31-1 (m = " + std::to_string(c.m) + ", n = " + std::to_string(c.n) +
                   ", k = " + std::to_string(c.k) + ")";
        return false;
    }
    if (c.g && c.op != Op::Ssmm24) {
        if (why)
            *why = std::string("row indices (g) belong to ssmm24 calls, not ") + opName(c.op);
        return false;
    }
    const std::size_t f = sizeof(float);
    const auto m = std::size_t(c.m), n = std::size_t(c.n), k = std::size_t(c.k);
    switch (c.op) {
    case Op::Gemm:
        return need(c.a, product({m, k, f}), "X", why) && need(c.b, product({n, k, f}), "W", why) &&
               need(c.y, product({m, n, f}), "Y", why);
    case Op::Ssmm24: {
        if (c.k % 4) {
            if (why)
                *why = "2:4 sparse GEMM needs k a multiple of 4, got " + std::to_string(c.k);
            return false;
        }
        const std::size_t metaWords = (k / 4 + 7) / 8;
        if (c.g && !selectionValid(c, why))
            return false;
        // the rows W's buffers hold: all n, or the compact matrix's under a row selection
        const auto wRows = std::size_t(c.g ? c.selection.keptRows(c.n) : c.n);
        // without a row-id buffer X has m rows; with one, at least one row (ids are checked by the backend)
        if (!(need(c.a, product({c.d ? std::min<std::size_t>(1, m) : m, k, f}), "X", why) &&
              need(c.b, product({wRows, k / 2, f}), "W values", why) &&
              need(c.c, product({wRows, metaWords, 4}), "W metadata", why) &&
              (!c.d || need(c.d, m * 4, "row ids", why)) &&
              (!c.g || need(c.g, product({k / std::size_t(c.selection.block), wRows, 4}), "row indices", why))))
            return false;
        switch (c.epilogue) {
        case Epilogue::Store:
            return need(c.y, product({m, n, f}), "Y", why);
        case Epilogue::SiluMul:
            if (c.accumulate) {
                if (why)
                    *why = "the SiLU-multiply epilogue overwrites Y; it takes no accumulate flag";
                return false;
            }
            return need(c.e, product({m, n, f}), "SiLU input", why) && need(c.y, product({m, n, f}), "Y", why);
        case Epilogue::GateScatterAdd:
            if (c.accumulate) {
                if (why)
                    *why = "the gate scatter-add always accumulates; it takes no accumulate flag";
                return false;
            }
            if (c.m > 0 && c.yRows <= 0) {
                if (why)
                    *why = "the gate scatter-add needs yRows, the rows of Y";
                return false;
            }
            return need(c.e, m * f, "gates", why) && need(c.f, m * 4, "scatter rows", why) &&
                   need(c.y, product({std::size_t(c.yRows), n, f}), "Y", why);
        }
        return false;
    }
    case Op::TopKGates:
        if (c.k < 1 || c.k > c.n) {
            if (why)
                *why = "top-k needs 1 <= k <= experts, got k = " + std::to_string(c.k) + " of " + std::to_string(c.n);
            return false;
        }
        return need(c.a, product({m, n, f}), "logits", why) && need(c.y, product({2, m, k, 4}), "ids and gates", why);
    case Op::GemmF16:
        return need(c.a, product({m, k, 2}), "X (fp16)", why) && need(c.b, product({n, k, 2}), "W (fp16)", why) &&
               need(c.y, product({m, n, f}), "Y", why);
    case Op::CsrSpmm:
        return need(c.a, (m + 1) * 4, "row_ptr", why) && need(c.b, std::size_t(c.nnz) * 4, "col_idx", why) &&
               need(c.c, std::size_t(c.nnz) * f, "values", why) && need(c.d, product({k, n, f}), "X", why) &&
               need(c.y, product({m, n, f}), "Y", why);
    }
    return false;
}

} // namespace seaside::backends
