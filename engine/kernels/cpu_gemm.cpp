#include "kernels/cpu_gemm.h"

#include <cblas.h>

extern "C" char *openblas_get_corename(void);
extern "C" int openblas_get_num_threads(void);
extern "C" int openblas_get_parallel(void);

namespace seaside::kernels::cpu {

void gemm(const float *x, const float *w, float *y, std::int64_t m, std::int64_t n, std::int64_t k, bool accumulate) {
    if (m == 0 || n == 0)
        return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0f, x, int(k), w, int(k),
                accumulate ? 1.0f : 0.0f, y, int(n));
}

std::string blasCore() {
    static const char *const threading[] = {"sequential", "pthreads", "OpenMP"};
    const int p = openblas_get_parallel();
    return std::string("OpenBLAS ") + openblas_get_corename() + ", " + std::to_string(openblas_get_num_threads()) + " threads (" +
           (p >= 0 && p <= 2 ? threading[p] : "unknown threading") + ")";
}

} // namespace seaside::kernels::cpu
