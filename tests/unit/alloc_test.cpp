// The evaluation path allocates nothing: evaluate, search, evaluate_training and check_claim
// run without a single operator new.
//
// This file replaces the global operator new and delete (every form, so that sanitizers see
// malloc paired with free) for the whole moecost_tests program. The replacements count only
// while an allocation_count is alive on the calling thread, so the rest of the program
// (Catch2 included) allocates as usual and uncounted.

#include <moecost.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

thread_local bool counting = false;
thread_local long allocations = 0;

void* allocate(std::size_t n) {
    if (counting)
        ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void* allocate(std::size_t n, std::align_val_t a) {
    if (counting)
        ++allocations;
    const auto align = static_cast<std::size_t>(a);
    const std::size_t size =
        n == 0 ? align : (n + align - 1) / align * align; // aligned_alloc wants a multiple
    return std::aligned_alloc(align, size);
}
void* allocate_or_throw(std::size_t n) {
    if (void* p = allocate(n))
        return p;
    throw std::bad_alloc();
}
void* allocate_or_throw(std::size_t n, std::align_val_t a) {
    if (void* p = allocate(n, a))
        return p;
    throw std::bad_alloc();
}

/// Counts this thread's operator new calls from construction to destruction.
class allocation_count {
public:
    allocation_count() {
        allocations = 0;
        counting = true;
    }
    ~allocation_count() { counting = false; }
    allocation_count(const allocation_count&) = delete;
    allocation_count& operator=(const allocation_count&) = delete;
    [[nodiscard]] long value() const { return allocations; }
};

} // namespace

// clang-format off
void* operator new(std::size_t n) { return allocate_or_throw(n); }
void* operator new[](std::size_t n) { return allocate_or_throw(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate_or_throw(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate_or_throw(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return allocate(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return allocate(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
// clang-format on

using namespace moecost;

namespace {
// Run-time copies, so that no call below can be folded into a constant.
model_spec seed = presets::seed_moe;
model_spec dsv3 = presets::deepseek_v3;
cluster_spec seed_gpu = presets::seed_gpu;
cluster_spec h800 = presets::h800;
} // namespace

TEST_CASE("the counter sees allocations made inside its scope, and only those", "[alloc]") {
    long inside = 0;
    {
        const allocation_count count;
        // direct calls of the allocation functions: unlike new-expressions, never elided
        void* p = ::operator new(64);
        ::operator delete(p);
        void* q = ::operator new[](64, std::align_val_t{64});
        ::operator delete[](q, std::align_val_t{64});
        inside = count.value();
    }
    CHECK(inside == 2);
    void* r = ::operator new(64); // outside any count
    ::operator delete(r);
    CHECK(allocations == 2);
}

TEST_CASE("evaluate allocates nothing", "[alloc]") {
    const workload seed_load{.batch = 128, .prompt = 10240};
    const workload v3_load{.batch = 4096, .prompt = 4096, .context = 4989};
    const requirements targets{.min_decode_tokens_per_gpu = make<token_rate>(1000),
                               .max_tpot = make<seconds>(0.05)};
    report a, b, c, d;
    long n = -1;
    {
        const allocation_count count;
        a = evaluate(seed, seed_gpu, seed_layout(8, 2, 4, 2), seed_load);
        b = evaluate(dsv3, h800, {.tp = 1, .dp = 32, .pp = 1, .ep = 32}, v3_load, {}, targets);
        c = evaluate(dsv3, h800,
                     {.tp = 2, .dp = 16, .pp = 4, .etp = 1, .ep = 32, .uneven_stages = true},
                     v3_load, {.ideal = true});
        d = evaluate(seed, seed_gpu, {.tp = 3}, seed_load); // invalid: the problem list is filled
        n = count.value();
    }
    CHECK(n == 0);
    CHECK(a.valid());
    CHECK(b.decode.tokens_per_gpu.value() > 0);
    CHECK(c.problems.count == 0);
    CHECK(c.prefill.tokens_per_gpu.value() > 0);
    CHECK_FALSE(d.valid());
}

TEST_CASE("search allocates nothing", "[alloc]") {
    const search_space space{.min_gpus = 1, .max_gpus = 32, .batches = {32, 128, 512}, .max_cp = 2};
    long n = -1;
    long evaluated = 0;
    {
        const allocation_count count;
        const auto r = search(seed, seed_gpu, space, {.batch = 128, .prompt = 10240});
        evaluated = r.evaluated;
        n = count.value();
    }
    CHECK(n == 0);
    CHECK(evaluated > 100);
}

TEST_CASE("evaluate_training allocates nothing", "[alloc]") {
    const training_workload t{
        .global_batch = 1024, .micro_batch = 1, .seq = 4096, .zero = 1, .rc = recompute::selective};
    long n = -1;
    training_report r;
    {
        const allocation_count count;
        // 61 layers over 8 stages: uneven, as DeepSeek-V3 trains
        r = evaluate_training(dsv3, h800,
                              {.tp = 1, .dp = 32, .pp = 8, .ep = 32, .uneven_stages = true}, t);
        n = count.value();
    }
    CHECK(n == 0);
    CHECK(r.step_time.value() > 0);
}

TEST_CASE("check_claim allocates nothing", "[alloc]") {
    const workload w{.batch = 128, .prompt = 10240};
    long n = -1;
    claim_verdict any, one;
    {
        const allocation_count count;
        any = check_claim(make<token_rate>(100e3), phase::decode, seed, seed_gpu.gpu, w);
        one = check_claim(make<token_rate>(100e3), phase::prefill, seed, seed_gpu,
                          seed_layout(8, 2, 4, 2), w);
        n = count.value();
    }
    CHECK(n == 0);
    CHECK_FALSE(any.possible);
    CHECK(one.bound.rate.value() > 0);
}
