// Probes: the five STREAM kernels over three large float arrays, timed at the run's thread count.
//
// Invariant: every kernel streams whole arrays with explicit vector loads and stores (so the
// compiler cannot turn a copy into a memcpy that picks its own store kind), each thread touches
// only its own 64-byte-aligned chunk, and the reported figure is the best timed pass.
#include "probes.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

#include "huge_pages.h"
#include "measure.h"

namespace bnbench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMiB = size_t{1} << 20;

#if defined(__AVX512F__)
constexpr int kLanes = 16;
using Vec = __m512;
inline Vec load(const float* p) { return _mm512_load_ps(p); }
inline Vec set1(float v) { return _mm512_set1_ps(v); }
inline Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline void store(float* p, Vec v) { _mm512_store_ps(p, v); }
inline void stream(float* p, Vec v) { _mm512_stream_ps(p, v); }
#elif defined(__AVX__)
constexpr int kLanes = 8;
using Vec = __m256;
inline Vec load(const float* p) { return _mm256_load_ps(p); }
inline Vec set1(float v) { return _mm256_set1_ps(v); }
inline Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_add_ps(_mm256_mul_ps(a, b), c); }
inline void store(float* p, Vec v) { _mm256_store_ps(p, v); }
inline void stream(float* p, Vec v) { _mm256_stream_ps(p, v); }
#else
constexpr int kLanes = 4;
using Vec = __m128;
inline Vec load(const float* p) { return _mm_load_ps(p); }
inline Vec set1(float v) { return _mm_set1_ps(v); }
inline Vec fmadd(Vec a, Vec b, Vec c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
inline void store(float* p, Vec v) { _mm_store_ps(p, v); }
inline void stream(float* p, Vec v) { _mm_stream_ps(p, v); }
#endif

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using Array = std::unique_ptr<float, FreeDeleter>;

// On huge pages like the tensors (huge_pages.h): on 4 KiB pages the probe's bandwidth depended on
// where its pages landed, and kernels on other buffers outran it by up to 1.5x. The first touch
// of advised memory may compact memory once (2.5 s for 1 GiB on the Zen 4 VM; 0.13 s afterwards,
// against 0.6 s on small pages).
Array allocate_array(size_t bytes) {
  try {
    return Array(static_cast<float*>(allocate_large(bytes)));
  } catch (const std::bad_alloc&) {
    throw std::runtime_error("bandwidth probe: cannot allocate " + std::to_string(bytes));
  }
}

// The chunk [begin, end) of thread t of `threads` over n elements, begins aligned to kLanes.
void chunk(size_t n, int t, int threads, size_t& begin, size_t& end) {
  size_t vectors = n / kLanes;
  begin = vectors * t / threads * kLanes;
  end = t + 1 == threads ? n : vectors * (t + 1) / threads * kLanes;
}

enum class Kernel { read, copy, triad, copy_nt, triad_nt };

// One pass of a kernel over the thread's chunk. Returns the partial sum (read) or 0.
float run_chunk(Kernel k, float* a, float* b, float* c, size_t begin, size_t end) {
  const float s = 3.0f;
  const Vec vs = set1(s);
  size_t vec_end = begin + (end - begin) / kLanes * kLanes;
  switch (k) {
    case Kernel::read: {
      Vec acc0 = set1(0), acc1 = set1(0), acc2 = set1(0);
      const Vec one = set1(1);
      for (size_t i = begin; i < vec_end; i += kLanes) {
        acc0 = fmadd(load(a + i), one, acc0);
        acc1 = fmadd(load(b + i), one, acc1);
        acc2 = fmadd(load(c + i), one, acc2);
      }
      alignas(64) float lanes[kLanes];
      Vec acc = fmadd(acc0, one, fmadd(acc1, one, acc2));
      std::memcpy(lanes, &acc, sizeof lanes);
      float sum = 0;
      for (float v : lanes) sum += v;
      for (size_t i = vec_end; i < end; ++i) sum += a[i] + b[i] + c[i];
      return sum;
    }
    case Kernel::copy:
      for (size_t i = begin; i < vec_end; i += kLanes) store(c + i, load(a + i));
      break;
    case Kernel::copy_nt:
      for (size_t i = begin; i < vec_end; i += kLanes) stream(c + i, load(a + i));
      break;
    case Kernel::triad:
      for (size_t i = begin; i < vec_end; i += kLanes)
        store(a + i, fmadd(vs, load(c + i), load(b + i)));
      break;
    case Kernel::triad_nt:
      for (size_t i = begin; i < vec_end; i += kLanes)
        stream(a + i, fmadd(vs, load(c + i), load(b + i)));
      break;
  }
  const bool copy = k == Kernel::copy || k == Kernel::copy_nt;
  for (size_t i = vec_end; i < end; ++i) {
    if (copy)
      c[i] = a[i];
    else
      a[i] = b[i] + s * c[i];
  }
  _mm_sfence();
  return 0;
}

volatile float g_sink = 0;  // keeps the read kernel's sum alive

void run_pass(Kernel k, float* a, float* b, float* c, size_t n, int threads) {
  float total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  {
    size_t begin = 0, end = 0;
    chunk(n, omp_get_thread_num(), omp_get_num_threads(), begin, end);
    total += run_chunk(k, a, b, c, begin, end);
  }
  g_sink = total;
}

}  // namespace

double ProbeSet::gbps(const std::string& kernel) const {
  for (auto& k : kernels)
    if (k.name == kernel) return k.gbps;
  return 0;
}

// Four times the LLC is STREAM's rule for "beyond the caches"; the 64 MiB floor keeps small
// caches honest; the 128 MiB cap bounds a probe (first touch of three arrays, then 5 kernels x 2
// passes, about 1.7 GB of traffic) to well under a second at 5 GB/s, what two threads got on a
// loaded development VM whose LLC reports 480 MiB but whose bandwidth already drops to memory
// speed at 3 x 32 MiB. 1/8 of the available memory leaves room for the cases. Where the cap binds
// the arrays may not exceed the LLC: `beyond_llc` records it.
size_t probe_array_bytes(int64_t llc_bytes, int64_t available_memory_bytes) {
  size_t want = 4 * static_cast<size_t>(std::max<int64_t>(llc_bytes, 0));
  want = std::clamp(want, 64 * kMiB, 128 * kMiB);
  if (available_memory_bytes > 0)
    want = std::min(want, static_cast<size_t>(available_memory_bytes) / 8);
  return std::max<size_t>(want / (2 * kMiB) * (2 * kMiB), 2 * kMiB);
}

struct ProbeStream::Arrays {
  Array a, b, c;
};

namespace {

struct KernelSpec {
  const char* name;
  Kernel kernel;
  int bytes;
};
constexpr KernelSpec kKernels[] = {{"read", Kernel::read, 4},
                                   {"copy", Kernel::copy, 8},
                                   {"triad", Kernel::triad, 12},
                                   {"copy_nt", Kernel::copy_nt, 8},
                                   {"triad_nt", Kernel::triad_nt, 12}};

const KernelSpec& kernel_named(const std::string& name) {
  for (const KernelSpec& k : kKernels)
    if (name == k.name) return k;
  throw std::invalid_argument("bandwidth probe: unknown kernel '" + name + "'");
}

// The read kernel sums all three arrays, 4 bytes per element of each.
double bytes_of_pass(const KernelSpec& k, size_t n) {
  return static_cast<double>(n) * (k.kernel == Kernel::read ? 3 : 1) * k.bytes;
}

}  // namespace

ProbeStream::ProbeStream(int threads, size_t array_bytes)
    : threads_(std::max(threads, 1)),
      n_(std::max<size_t>(array_bytes / sizeof(float), kLanes)),
      arrays_(std::make_unique<Arrays>()) {
  const size_t bytes = n_ * sizeof(float);
  arrays_->a = allocate_array(bytes);
  arrays_->b = allocate_array(bytes);
  arrays_->c = allocate_array(bytes);
  float *a = arrays_->a.get(), *b = arrays_->b.get(), *c = arrays_->c.get();
  const size_t n = n_;
#pragma omp parallel num_threads(threads_)
  {
    size_t begin = 0, end = 0;
    chunk(n, omp_get_thread_num(), omp_get_num_threads(), begin, end);
    for (size_t i = begin; i < end; ++i) {
      a[i] = 1.0f;
      b[i] = 2.0f;
      c[i] = 0.0f;
    }
  }
}

ProbeStream::~ProbeStream() = default;

void ProbeStream::pass(const std::string& kernel) {
  run_pass(kernel_named(kernel).kernel, arrays_->a.get(), arrays_->b.get(), arrays_->c.get(), n_,
           threads_);
}

double ProbeStream::bytes_per_pass(const std::string& kernel) const {
  return bytes_of_pass(kernel_named(kernel), n_);
}

ProbeSet run_probes(int threads, size_t array_bytes, int64_t llc_bytes, int passes) {
  auto start = Clock::now();
  ProbeSet p;
  p.threads = std::max(threads, 1);
  p.llc_bytes = llc_bytes;
  p.passes = std::max(passes, 1);
  ProbeStream stream(p.threads, array_bytes);
  p.array_bytes = stream.array_bytes();
  for (const KernelSpec& s : kKernels) {
    std::vector<double> times;
    for (int i = 0; i < p.passes; ++i) {
      auto pass_start = Clock::now();
      stream.pass(s.name);
      times.push_back(std::chrono::duration<double>(Clock::now() - pass_start).count());
    }
    ProbeKernel k;
    k.name = s.name;
    k.bytes_per_element = s.bytes;
    k.best_s = *std::min_element(times.begin(), times.end());
    k.median_s = summarize(times).median;
    k.gbps = stream.bytes_per_pass(s.name) / k.best_s / 1e9;
    p.kernels.push_back(k);
  }
  p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return p;
}

std::vector<std::string> probe_drift_hazards(const ProbeSet& start, const ProbeSet& end,
                                             double limit) {
  std::vector<std::string> out;
  for (auto& k : start.kernels) {
    double before = k.gbps, after = end.gbps(k.name);
    if (before <= 0 || after <= 0) continue;
    double change = (after - before) / before;
    if (std::abs(change) > limit) {
      char buf[192];
      std::snprintf(buf, sizeof buf,
                    "memory bandwidth changed during the run (%d threads): %s %.1f -> %.1f GB/s "
                    "(%+.0f%%); %% of ideal of cases not interleaved uses the start probe",
                    start.threads, k.name.c_str(), before, after, 100 * change);
      out.push_back(buf);
    }
  }
  return out;
}

std::string format_probes(const ProbeSet& p) {
  char head[96];
  std::snprintf(head, sizeof head, "%d thread%s, 3 x %zu MiB:", p.threads,
                p.threads == 1 ? "" : "s", p.array_bytes / kMiB);
  std::string line = head;
  for (auto& k : p.kernels) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " %s %.1f", k.name.c_str(), k.gbps);
    line += buf;
  }
  char tail[48];
  std::snprintf(tail, sizeof tail, " GB/s (%.1f s)", p.seconds);
  return line + tail;
}

nlohmann::json to_json(const ProbeSet& p) {
  nlohmann::json kernels = nlohmann::json::object();
  for (auto& k : p.kernels)
    kernels[k.name] = {{"gbps", k.gbps},
                       {"bytes_per_element", k.bytes_per_element},
                       {"best_s", k.best_s},
                       {"median_s", k.median_s}};
  return {{"threads", p.threads}, {"array_bytes", p.array_bytes},
          {"arrays", 3},          {"llc_bytes", p.llc_bytes},
          {"passes", p.passes},   {"beyond_llc", p.beyond_llc()},
          {"seconds", p.seconds}, {"kernels", kernels}};
}

}  // namespace bnbench
