// The GPU check: every CUDA kernel against the CPU reference (the backend-ops test, in a form
// that builds without Qt, since the GPU machine's image has none), then SSMM against cuBLAS on
// Mixtral expert shapes. Prints one table. Built and run by gpu_check.sh.
#include "backends/backend.h"
#include "backends/cuda/cuda_backend.h"
#include "kernels/reference.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include "../common/random_data.h"
#include <vector>

using namespace seaside;
using namespace seaside::backends;

using seaside::testing::randomVector;

namespace {

template <typename T> std::unique_ptr<Buffer> put(Device *dev, const std::vector<T> &v) {
    auto b = dev->allocate(std::max<std::size_t>(4, v.size() * sizeof(T)));
    if (!b.ok()) {
        std::fprintf(stderr, "allocate: %s\n", b.error().message.c_str());
        std::exit(1);
    }
    if (!v.empty())
        (*b)->upload(v.data(), v.size() * sizeof(T));
    return std::move(*b);
}

std::vector<float> get(const Buffer &b, std::size_t n) {
    std::vector<float> v(n);
    b.download(v.data(), n * sizeof(float));
    return v;
}

int failures = 0;
void row(const char *what, const char *shape, const char *path, double nmse, double bound) {
    const bool ok = nmse < bound;
    failures += !ok;
    std::printf("| %-10s | %-22s | %-12s | %10.2e | %8.0e | %-4s |\n", what, shape, path, nmse, bound, ok ? "pass" : "FAIL");
}

void checkOps(Device *d) {
    std::printf("\n| kernel     | shape                  | path         |       NMSE |    bound | ok   |\n");
    std::printf("|------------|------------------------|--------------|------------|----------|------|\n");
    const int shapes[][3] = {{1, 3, 4}, {7, 17, 12}, {65, 130, 260}, {256, 512, 1024}};
    for (const auto &s : shapes) {
        const int m = s[0], n = s[1], k = s[2];
        char shape[64];
        std::snprintf(shape, sizeof shape, "%dx%dx%d", m, n, k);
        const auto x = randomVector(std::size_t(m * k), 1), w = randomVector(std::size_t(n * k), 2);
        std::vector<float> want(std::size_t(m * n));
        kernels::ref::gemm(x.data(), w.data(), want.data(), m, n, k);
        auto bx = put(d, x), bw = put(d, w), by = put(d, std::vector<float>(want.size()));
        Status st = d->run({{Op::Gemm, bx.get(), bw.get(), nullptr, nullptr, by.get(), m, n, k, 0, "gemm"}});
        const auto got = get(*by, want.size());
        row("gemm", shape, "cuda-core", st.ok() ? kernels::ref::nmse(got.data(), want.data(), want.size()) : 1.0, 1e-9);

        const auto sw = *kernels::prune24(w.data(), n, k);
        std::vector<std::uint32_t> rows;
        for (int i = 0; i < m; ++i)
            rows.push_back(std::uint32_t((i * 5 + 1) % m));
        for (bool gather : {false, true}) {
            std::vector<float> ws(want.size());
            kernels::ref::ssmm24(x.data(), sw, gather ? rows.data() : nullptr, ws.data(), m);
            auto bv = put(d, sw.values), bm = put(d, sw.meta), br = put(d, rows);
            for (const char *path : {"cuda-core", "tensor-core"}) {
                setenv("SEASIDE_CUDA_SSMM", path, 1);
                auto out = put(d, std::vector<float>(want.size()));
                KernelCall c{Op::Ssmm24, bx.get(), bv.get(), bm.get(), gather ? br.get() : nullptr, out.get(), m, n, k, 0, "ssmm"};
                Status s2 = d->run({c});
                const auto g2 = get(*out, want.size());
                row(gather ? "ssmm24+gath" : "ssmm24", shape, path, s2.ok() ? kernels::ref::nmse(g2.data(), ws.data(), ws.size()) : 1.0,
                    std::string(path) == "tensor-core" ? 1e-5 : 1e-9);
            }
            unsetenv("SEASIDE_CUDA_SSMM");
        }
    }
    // CSR with an isolated node and an empty row
    std::vector<std::int32_t> rp{0, 1, 3, 3, 5, 6}, ci{1, 0, 4, 2, 0, 4};
    const auto vals = randomVector(6, 3), x = randomVector(5 * 37, 4);
    std::vector<float> want(5 * 37);
    kernels::ref::csrSpmm(rp.data(), ci.data(), vals.data(), x.data(), want.data(), 5, 37);
    auto a = put(d, rp), b = put(d, ci), c = put(d, vals), xx = put(d, x), y = put(d, std::vector<float>(want.size(), -1));
    Status st = d->run({{Op::CsrSpmm, a.get(), b.get(), c.get(), xx.get(), y.get(), 5, 37, 5, 6, "csr"}});
    const auto got = get(*y, want.size());
    row("csr_spmm", "5 rows x 37", "warp-per-row", st.ok() ? kernels::ref::nmse(got.data(), want.data(), want.size()) : 1.0, 1e-9);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// cuBLAS dense peers: fp32 SGEMM and fp16 tensor cores with fp32 accumulation, Y = X . W^T.
double cublasMs(int m, int n, int k, bool fp16) {
    cublasHandle_t h;
    cublasCreate(&h);
    void *x, *w, *y;
    const std::size_t el = fp16 ? 2 : 4;
    cudaMalloc(&x, std::size_t(m) * k * el);
    cudaMalloc(&w, std::size_t(n) * k * el);
    cudaMalloc(&y, std::size_t(m) * n * 4);
    cudaMemset(x, 0, std::size_t(m) * k * el);
    cudaMemset(w, 0, std::size_t(n) * k * el);
    const float one = 1, zero = 0;
    cudaEvent_t a, b;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    std::vector<double> times;
    for (int it = 0; it < 12; ++it) {
        cudaEventRecord(a);
        // column-major view: Y^T[n,m] = W[n,k] . X^T[k,m]
        if (fp16)
            cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, w, CUDA_R_16F, k, x, CUDA_R_16F, k, &zero, y, CUDA_R_32F, n,
                         CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
        else
            cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, (float *)w, k, (float *)x, k, &zero, (float *)y, n);
        cudaEventRecord(b);
        cudaEventSynchronize(b);
        float ms = 0;
        cudaEventElapsedTime(&ms, a, b);
        if (it >= 2)
            times.push_back(ms);
    }
    cudaFree(x);
    cudaFree(w);
    cudaFree(y);
    cublasDestroy(h);
    return median(times);
}

double seasideMs(Device *d, Op op, int m, int n, int k, const char *path) {
    if (path)
        setenv("SEASIDE_CUDA_SSMM", path, 1);
    auto x = put(d, randomVector(std::size_t(m) * k, 1, 0.1f));
    std::vector<double> times;
    std::unique_ptr<Buffer> w, v, meta, y = put(d, std::vector<float>(std::size_t(m) * n));
    KernelCall c;
    if (op == Op::Gemm) {
        w = put(d, randomVector(std::size_t(n) * k, 2, 0.1f));
        c = {Op::Gemm, x.get(), w.get(), nullptr, nullptr, y.get(), m, n, k, 0, "gemm"};
    } else {
        const auto sw = *kernels::prune24(randomVector(std::size_t(n) * k, 2, 0.1f).data(), n, k);
        v = put(d, sw.values);
        meta = put(d, sw.meta);
        c = {Op::Ssmm24, x.get(), v.get(), meta.get(), nullptr, y.get(), m, n, k, 0, "ssmm"};
    }
    std::vector<double> t;
    for (int it = 0; it < 12; ++it) {
        d->run({c}, &t);
        if (it >= 2)
            times.push_back(t.at(0) * 1e3);
    }
    unsetenv("SEASIDE_CUDA_SSMM");
    return median(times);
}

void bench(Device *d) {
    std::printf("\n| Mixtral expert GEMM (Y = X.W^T)   | kernel                         |     ms | dense-equiv TFLOP/s |\n");
    std::printf("|----------------------------------|--------------------------------|--------|---------------------|\n");
    const int shapes[][3] = {{512, 14336, 4096}, {512, 4096, 14336}, {2048, 14336, 4096}};
    for (const auto &s : shapes) {
        const int m = s[0], n = s[1], k = s[2];
        char shape[64];
        std::snprintf(shape, sizeof shape, "%s %dx%dx%d", n > k ? "w1/w3" : "w2", m, n, k);
        const double flops = 2.0 * m * n * k;
        auto line = [&](const char *kernel, double ms) {
            std::printf("| %-32s | %-30s | %6.3f | %19.1f |\n", shape, kernel, ms, flops / (ms * 1e-3) / 1e12);
        };
        line("cuBLAS SGEMM fp32 (dense)", cublasMs(m, n, k, false));
        line("cuBLAS fp16 tensor cores (dense)", cublasMs(m, n, k, true));
        line("Seaside gemm fp32 (dense)", seasideMs(d, Op::Gemm, m, n, k, nullptr));
        line("Seaside ssmm24 CUDA cores", seasideMs(d, Op::Ssmm24, m, n, k, "cuda-core"));
        line("Seaside ssmm24 mma.sp fp16", seasideMs(d, Op::Ssmm24, m, n, k, "tensor-core"));
    }
}
} // namespace

int main() {
    const auto devices = cudaBackend()->devices();
    if (devices.empty()) {
        std::printf("gpu_check: no CUDA device here; nothing to check (the CUDA tests skip without one)\n");
        return 0;
    }
    for (Device *d : devices)
        std::printf("device: %s, %d SMs, %.1f GiB, sparse tensor cores: %s\n", d->props().name.c_str(), d->props().computeUnits,
                    double(d->props().memoryBytes) / (1u << 30), d->props().sparseTensorCores ? "yes" : "no");
    Device *d = devices.front();
    checkOps(d);
    bench(d);
    std::printf("\n%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
