// tools/differential/dump.cpp: every number of a large, fixed set of moecost results, one per
// line, so that two builds of this program against two versions of the headers can be diffed
// (scripts/differential). A change meant to be behaviour-neutral must leave the dump identical
// to the last bit.
//
//   dump [--scale S] [OUT]      S in (0, 4] scales the drawn layouts (default 1: 80 per model
//                               and cluster, 1.3 GB of text); below 1 it also runs that share
//                               of the searches. OUT defaults to standard output.
//
// Only the public API of the umbrella header is used (nothing from a detail namespace), so that
// the program compiles unchanged against headers that were moved or split. Everything is
// deterministic: layouts are drawn from a fixed-seed splitmix64 generator, not <random>, whose
// distributions differ between standard libraries.
//
// Each result starts with a line `case N description` that names its inputs; the lines after it
// are `key value`: doubles at %.17g (quantities by their value()), ints and bools (0 or 1) as
// they are, enums as ints, violations as rule id, field, numbers and message. The last lines are
// `total.numbers` and `total.cases`.

#include <moecost.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

// A made-up GPU's two efficiencies, in whichever form the headers under test take them (a
// calibration profile, or the two scalars it replaced), so that one dump compares both.
#if __has_include(<moecost/spec/profile.hpp>)
#define MOECOST_DUMP_EFFICIENCIES(compute, memory) .perf = moecost::flat_profile(compute, memory)
#else
#define MOECOST_DUMP_EFFICIENCIES(compute, memory)                                                 \
    .compute_efficiency = compute, .memory_efficiency = memory
#endif

namespace {

using namespace moecost;

// ---- output ----------------------------------------------------------------------------------

class dumper {
public:
    explicit dumper(std::FILE* f) : f_(f) { buf_.reserve(1 << 21); }
    dumper(const dumper&) = delete;
    dumper& operator=(const dumper&) = delete;
    dumper(dumper&&) = delete;
    dumper& operator=(dumper&&) = delete;
    ~dumper() { flush(); }

    /// Starts a result: `case N description`, and clears the key prefix.
    void begin_case(const std::string& description) {
        prefix_.clear();
        ++cases_;
        buf_ += "case ";
        buf_ += std::to_string(cases_);
        buf_ += ' ';
        buf_ += description;
        buf_ += '\n';
        maybe_flush();
    }

    template <class T>
    void num(std::string_view key, const T& v) {
        start(key);
        char s[48];
        int n = 0;
        if constexpr (std::is_same_v<T, bool>)
            n = std::snprintf(s, sizeof s, "%d", v ? 1 : 0);
        else if constexpr (std::is_enum_v<T>)
            n = std::snprintf(s, sizeof s, "%lld", static_cast<long long>(v));
        else if constexpr (std::is_integral_v<T>)
            n = std::snprintf(s, sizeof s, "%lld", static_cast<long long>(v));
        else if constexpr (std::is_floating_point_v<T>)
            n = std::snprintf(s, sizeof s, "%.17g", static_cast<double>(v));
        else // a quantity
            n = std::snprintf(s, sizeof s, "%.17g", static_cast<double>(v.value()));
        buf_.append(s, static_cast<std::size_t>(n));
        buf_ += '\n';
        ++numbers_;
        maybe_flush();
    }

    void text(std::string_view key, std::string_view v) {
        start(key);
        buf_ += v;
        buf_ += '\n';
        maybe_flush();
    }

    /// Keys written while a scope lives get its name in front.
    class scope {
    public:
        scope(dumper& d, std::string_view name) : d_(d), size_(d.prefix_.size()) {
            d.prefix_ += name;
            d.prefix_ += '.';
        }
        scope(const scope&) = delete;
        scope& operator=(const scope&) = delete;
        scope(scope&&) = delete;
        scope& operator=(scope&&) = delete;
        ~scope() { d_.prefix_.resize(size_); }

    private:
        dumper& d_;
        std::size_t size_;
    };

    void totals() {
        prefix_.clear();
        const long long n = numbers_ + 2; // these two lines included
        num("total.numbers", n);
        num("total.cases", cases_);
        flush();
    }

    void flush() {
        if (!buf_.empty())
            std::fwrite(buf_.data(), 1, buf_.size(), f_);
        buf_.clear();
    }

private:
    void start(std::string_view key) {
        buf_ += prefix_;
        buf_ += key;
        buf_ += ' ';
    }
    void maybe_flush() {
        if (buf_.size() > (1u << 20))
            flush();
    }

    std::FILE* f_;
    std::string buf_;
    std::string prefix_;
    long long numbers_ = 0;
    long long cases_ = 0;
};

using scope = dumper::scope;

std::string indexed(std::string_view name, std::size_t i) {
    std::string s(name);
    s += std::to_string(i);
    return s;
}

// ---- results ---------------------------------------------------------------------------------

void dump(dumper& d, const violations& v) {
    const scope s(d, "problems");
    d.num("count", v.count);
    d.num("dropped", v.dropped);
    d.num("ok", v.ok());
    std::size_t i = 0;
    for (const violation& x : v) {
        const scope e(d, indexed("v", i++));
        d.num("rule", x.what);
        d.text("field", x.field);
        d.num("value", x.value);
        d.num("limit", x.limit);
        d.text("text", describe(x));
    }
}

void dump(dumper& d, const violation& x) {
    d.num("rule", x.what);
    d.text("field", x.field);
    d.num("value", x.value);
    d.num("limit", x.limit);
    d.text("text", describe(x));
}

constexpr std::array<op_group, 7> all_groups{
    op_group::attention_proj, op_group::attention_core, op_group::router, op_group::routed_experts,
    op_group::shared_experts, op_group::dense_ffn,      op_group::lm_head};

constexpr std::array<const char*, 7> group_keys{"attn_proj", "attn_core", "router", "routed",
                                                "shared",    "dense_ffn", "lm_head"};

void dump(dumper& d, const op_cost& c) {
    d.num("work", c.work);
    d.num("traffic", c.traffic);
    d.num("compute_time", c.compute_time);
    d.num("memory_time", c.memory_time);
    d.num("time", c.time());
    d.num("bound", c.bound());
}

void dump(dumper& d, const stage_step& s) {
    for (std::size_t g = 0; g < all_groups.size(); ++g) {
        const scope o(d, group_keys[g]);
        dump(d, s.op(all_groups[g]));
    }
    {
        const scope c(d, "comm");
        d.num("tp", s.comm.tp);
        d.num("ep", s.comm.ep);
        d.num("etp", s.comm.etp);
        d.num("cp", s.comm.cp);
        d.num("pp", s.comm.pp);
        d.num("ep_intra_node", s.comm.ep_intra_node);
        d.num("ep_inter_node", s.comm.ep_inter_node);
        d.num("total", s.comm.total());
    }
    d.num("compute", s.compute);
    d.num("draft", s.draft);
    d.num("time", s.time);
    d.num("bound", s.bound);
    d.num("work", s.work());
    d.num("traffic", s.traffic());
}

void dump(dumper& d, const phase_result& p) {
    d.num("latency", p.latency);
    d.num("batch_time", p.batch_time);
    d.num("tokens_per_gpu", p.tokens_per_gpu);
    d.num("bottleneck", p.bottleneck);
    d.num("bubble_fraction", p.bubble_fraction);
    d.num("slowest_stage", p.slowest_stage);
    const scope s(d, "s");
    dump(d, p.slowest);
}

void dump(dumper& d, const report& r) {
    d.num("evaluated", r.evaluated);
    d.num("valid", r.valid());
    d.num("meets", r.meets());
    d.num("ideal", r.ideal);
    d.num("max_batch", r.max_batch);
    d.num("decode_experts_touched", r.decode_experts_touched);
    d.num("decode_tokens_per_step", r.decode_tokens_per_step);
    dump(d, r.problems);
    for (std::size_t i = 0; i < r.requirements.size(); ++i) {
        const requirement_check& q = r.requirements[i];
        const scope s(d, indexed("req", i));
        d.text("name", q.name);
        d.num("value", q.value);
        d.num("target", q.target);
        d.num("applies", q.applies);
        d.num("pass", q.pass);
    }
    if (!r.evaluated)
        return;
    {
        const scope s(d, "mem");
        d.num("weights", r.memory.weights);
        d.num("kv_cache", r.memory.kv_cache);
        d.num("activations", r.memory.activations);
        d.num("capacity", r.memory.capacity);
        d.num("usable", r.memory.usable);
        d.num("stage", r.memory.stage);
        d.num("fits", r.memory.fits);
        d.num("total", r.memory.total());
    }
    {
        const scope s(d, "P");
        dump(d, r.prefill);
    }
    {
        const scope s(d, "D");
        dump(d, r.decode);
    }
}

void dump(dumper& d, const training_report& r) {
    d.num("evaluated", r.evaluated);
    d.num("valid", r.valid());
    d.num("ideal", r.ideal);
    dump(d, r.problems);
    if (!r.evaluated)
        return;
    {
        const scope s(d, "mem");
        d.num("weights", r.memory.weights);
        d.num("grads", r.memory.grads);
        d.num("optimizer", r.memory.optimizer);
        d.num("activations", r.memory.activations);
        d.num("usable", r.memory.usable);
        d.num("stage", r.memory.stage);
        d.num("fits", r.memory.fits);
        d.num("total", r.memory.total());
    }
    d.num("model_flops_per_iteration", r.model_flops_per_iteration);
    d.num("hardware_flops_per_iteration", r.hardware_flops_per_iteration);
    d.num("step_time", r.step_time);
    d.num("pipeline_time", r.pipeline_time);
    d.num("micro_batch_time", r.micro_batch_time);
    d.num("grad_sync_time", r.grad_sync_time);
    d.num("optimizer_time", r.optimizer_time);
    d.num("bubble_fraction", r.bubble_fraction);
    d.num("micro_batches", r.micro_batches);
    d.num("tokens_per_gpu", r.tokens_per_gpu);
    d.num("mfu", r.mfu);
    d.num("hfu", r.hfu);
    d.num("bottleneck", r.bottleneck);
}

void dump(dumper& d, const layout& l) {
    d.num("tp", l.tp);
    d.num("cp", l.cp);
    d.num("dp", l.dp);
    d.num("pp", l.pp);
    d.num("etp", l.etp);
    d.num("ep", l.ep);
    d.num("redundant_experts", l.redundant_experts);
    d.num("uneven_stages", l.uneven_stages);
}

void dump(dumper& d, const candidate& c) {
    {
        const scope s(d, "l");
        dump(d, c.l);
    }
    d.num("batch", c.w.batch);
    d.num("memory", c.memory);
    d.num("prefill", c.prefill);
    d.num("decode", c.decode);
    d.num("ttft", c.ttft);
    d.num("tpot", c.tpot);
    d.num("decode_bound", c.decode_bound);
    d.num("fits", c.fits);
    d.num("meets", c.meets);
    d.num("score", c.score);
    d.num("shortfall", c.shortfall);
}

template <class Result>
void dump_search(dumper& d, const Result& r) {
    d.num("n_best", r.n_best);
    d.num("n_pareto", r.n_pareto);
    d.num("n_misses", r.n_misses);
    d.num("evaluated", r.evaluated);
    d.num("feasible", r.feasible);
    d.num("rejected", r.rejected);
    for (int i = 0; i < r.n_best; ++i) {
        const scope s(d, indexed("best", static_cast<std::size_t>(i)));
        dump(d, r.best[static_cast<std::size_t>(i)]);
    }
    for (int i = 0; i < r.n_pareto; ++i) {
        const scope s(d, indexed("pareto", static_cast<std::size_t>(i)));
        dump(d, r.pareto[static_cast<std::size_t>(i)]);
    }
    for (int i = 0; i < r.n_misses; ++i) {
        const scope s(d, indexed("miss", static_cast<std::size_t>(i)));
        dump(d, r.nearest_misses[static_cast<std::size_t>(i)]);
    }
    for (std::size_t i = 0; i < rule_count; ++i) {
        const scope s(d, indexed("refused", i));
        d.num("count", r.refused_by[i]);
        if (r.refused_by[i] > 0)
            dump(d, r.refused_example[i]);
    }
}

void dump(dumper& d, const training_candidate& c) {
    {
        const scope s(d, "l");
        dump(d, c.l);
    }
    d.num("global_batch", c.t.global_batch);
    d.num("memory", c.memory);
    d.num("tokens_per_gpu", c.tokens_per_gpu);
    d.num("step_time", c.step_time);
    d.num("mfu", c.mfu);
    d.num("bubble_fraction", c.bubble_fraction);
    d.num("bottleneck", c.bottleneck);
    d.num("fits", c.fits);
    d.num("score", c.score);
    d.num("shortfall", c.shortfall);
}

template <class Result>
void dump_training_search(dumper& d, const Result& r) {
    d.num("n_best", r.n_best);
    d.num("n_misses", r.n_misses);
    d.num("evaluated", r.evaluated);
    d.num("feasible", r.feasible);
    d.num("rejected", r.rejected);
    for (int i = 0; i < r.n_best; ++i) {
        const scope s(d, indexed("best", static_cast<std::size_t>(i)));
        dump(d, r.best[static_cast<std::size_t>(i)]);
    }
    for (int i = 0; i < r.n_misses; ++i) {
        const scope s(d, indexed("miss", static_cast<std::size_t>(i)));
        dump(d, r.nearest_misses[static_cast<std::size_t>(i)]);
    }
}

void dump(dumper& d, const claim_verdict& v) {
    d.num("claimed", v.claimed);
    d.num("rate", v.bound.rate);
    d.num("binding", v.bound.binding);
    d.num("compute_bound", v.bound.compute_bound);
    d.num("memory_bound", v.bound.memory_bound);
    d.num("possible", v.possible);
    d.num("claimed_over_bound", v.claimed_over_bound());
}

void dump(dumper& d, const flop_breakdown& f) {
    d.num("attention_proj", f.attention_proj);
    d.num("attention_core", f.attention_core);
    d.num("router", f.router);
    d.num("routed_experts", f.routed_experts);
    d.num("shared_experts", f.shared_experts);
    d.num("dense_ffn", f.dense_ffn);
    d.num("lm_head", f.lm_head);
    d.num("mtp_projection", f.mtp_projection);
    d.num("other", f.other);
    d.num("matmul", f.matmul());
    d.num("total", f.total());
}

void dump(dumper& d, const param_breakdown& p) {
    d.num("embedding", p.embedding);
    d.num("attention", p.attention);
    d.num("router", p.router);
    d.num("routed_experts", p.routed_experts);
    d.num("shared_experts", p.shared_experts);
    d.num("dense_ffn", p.dense_ffn);
    d.num("norms", p.norms);
    d.num("lm_head", p.lm_head);
    d.num("mtp", p.mtp);
    d.num("total", p.total());
    d.num("layers", p.layers());
}

// ---- inputs ----------------------------------------------------------------------------------

/// splitmix64 (Steele, Lea and Flood 2014): the same sequence on every platform.
class rng {
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }
    template <class T, std::size_t N>
    T pick(const std::array<T, N>& a) {
        return a[static_cast<std::size_t>(below(static_cast<int>(N)))];
    }
    int pick(const std::vector<int>& a) {
        return a[static_cast<std::size_t>(below(int(a.size())))];
    }

private:
    std::uint64_t s_;
};

struct named_spec {
    std::string name;
    model_spec spec;
    bool valid = true;
};

struct named_hw {
    std::string name;
    cluster_spec spec;
    bool valid = true;
};

std::vector<named_spec> models() {
    std::vector<named_spec> out;
    for (const auto& p : presets::model_presets)
        out.push_back({std::string(p.name), *p.spec});

    // The unit tests' tiny MoE (tests/unit/fixtures.hpp), with and without an MTP module.
    const model_spec tiny{.layers = 2,
                          .hidden = 64,
                          .vocab = 100,
                          .attention = {.heads = 4, .kv_heads = 2},
                          .ffn = {.hidden = 128, .gated = false},
                          .moe = {.experts = 4, .top_k = 2, .expert_hidden = 32}};
    out.push_back({"tiny-moe", tiny});
    model_spec tiny_mtp = tiny;
    tiny_mtp.mtp_layers = 1;
    out.push_back({"tiny-moe-mtp", tiny_mtp});

    // Seven stage shapes on PP 8: a wide window every third layer, dense layers 2 to 6.
    model_spec seven = tiny;
    seven.layers = 16;
    seven.ffn.hidden = 32;
    seven.attention.sliding = {.window = 1 << 20, .every = 3, .offset = 0};
    for (int i = 2; i <= 6; ++i)
        set_dense_layer(seven.moe, i);
    out.push_back({"seven-shapes", seven});

    // Dense, sliding windows on odd layers, every bias and norm option, sinks.
    out.push_back({"sliding-dense",
                   {.layers = 24,
                    .hidden = 2048,
                    .vocab = 50000,
                    .norm = norm_kind::layer,
                    .attention = {.heads = 16,
                                  .kv_heads = 4,
                                  .qkv_bias = true,
                                  .out_bias = true,
                                  .qk_norm = qk_norm_kind::full,
                                  .sinks = true,
                                  .sliding = {.window = 512, .every = 2, .offset = 1}},
                    .ffn = {.hidden = 8192, .gated = true, .bias = true}}});

    // MoE on odd layers after the first, two explicit dense layers, a gated shared expert,
    // router and expert biases, mixed precisions.
    model_spec phased{.layers = 28,
                      .hidden = 2048,
                      .vocab = 151936,
                      .attention = {.heads = 16,
                                    .kv_heads = 4,
                                    .head_dim = 128,
                                    .qk_norm = qk_norm_kind::per_head,
                                    .sliding = {.window = 4096, .every = 4, .offset = 3}},
                      .ffn = {.hidden = 5632},
                      .moe = {.experts = 60,
                              .top_k = 4,
                              .expert_hidden = 1408,
                              .shared_experts = 1,
                              .shared_hidden = 5632,
                              .shared_gate = true,
                              .router_bias = true,
                              .expert_bias = true,
                              .first_dense = 1,
                              .every = 2,
                              .phase = 1},
                      .precision = {.weights = dtype::fp8,
                                    .kv = dtype::fp8,
                                    .experts = dtype::mxfp4,
                                    .embeddings = dtype::bf16,
                                    .attention = dtype::fp8}};
    set_dense_layer(phased.moe, 3);
    set_dense_layer(phased.moe, 9);
    out.push_back({"phased-moe", phased});

    // Small MLA without query compression, expert groups, two MTP modules, int8 and nvfp4.
    out.push_back({"mla-mtp",
                   {.layers = 12,
                    .hidden = 1024,
                    .vocab = 32000,
                    .attention = {.kind = attention_kind::mla,
                                  .heads = 16,
                                  .q_lora_rank = 0,
                                  .kv_lora_rank = 256,
                                  .qk_nope_head_dim = 64,
                                  .qk_rope_head_dim = 32,
                                  .v_head_dim = 64},
                    .ffn = {.hidden = 4096},
                    .moe = {.experts = 32,
                            .top_k = 4,
                            .expert_hidden = 512,
                            .shared_experts = 2,
                            .shared_hidden = 512,
                            .router_bias = true,
                            .first_dense = 2,
                            .groups = 4,
                            .group_top_k = 2},
                    .precision = {.weights = dtype::int8, .experts = dtype::nvfp4},
                    .mtp_layers = 2}});

    // GPT-3 1.3B and GPT-2 small (learned positions, tied embeddings, LayerNorm, biases).
    out.push_back({"gpt-1.3b", presets::gpt(2048, 24, 16)});
    model_spec gpt2 = presets::gpt(768, 12, 12, 50257, 1024);
    gpt2.precision = {.weights = dtype::fp32, .kv = dtype::fp16, .activations = dtype::fp16};
    out.push_back({"gpt2-small-fp32", gpt2});

    // MQA with an explicit head dimension, int4 weights, 7 layers (uneven stages), no vocab.
    out.push_back({"mqa-int4-novocab",
                   {.layers = 7,
                    .hidden = 3000,
                    .vocab = 0,
                    .attention = {.heads = 24, .kv_heads = 1, .head_dim = 96},
                    .ffn = {.hidden = 12000, .gated = false, .bias = true},
                    .precision = {.weights = dtype::int4, .embeddings = dtype::fp16}}});

    // An MoE on 13 layers with dense layers every third, kv in fp8.
    model_spec odd{.layers = 13,
                   .hidden = 1536,
                   .vocab = 65536,
                   .tied_embeddings = true,
                   .attention = {.heads = 12, .kv_heads = 6},
                   .ffn = {.hidden = 6144},
                   .moe = {.experts = 24, .top_k = 3, .expert_hidden = 768, .every = 3, .phase = 0},
                   .precision = {.kv = dtype::fp8}};
    out.push_back({"odd-moe", odd});

    // Invalid: top_k above the experts, a weight-only KV cache, a bad window offset.
    model_spec bad = tiny;
    bad.moe.top_k = 5;
    bad.precision.kv = dtype::mxfp4;
    bad.attention.sliding = {.window = 8, .every = 2, .offset = 2};
    out.push_back({"invalid-model", bad, false});
    return out;
}

std::vector<named_hw> clusters() {
    std::vector<named_hw> out;
    for (const auto& p : presets::cluster_presets)
        out.push_back({std::string(p.name), *p.spec});

    // The unit tests' toy cluster (1 MB of HBM: most layouts do not fit).
    out.push_back(
        {"toy",
         {.gpu = {.peak_bf16 = make<flop_rate>(4e12),
                  .hbm = make<bytes>(1e6),
                  .hbm_bandwidth = make<byte_rate>(1e12)},
          .gpus_per_node = 8,
          .intra_node = {.bandwidth = make<byte_rate>(100e9), .latency = make<seconds>(10e-9)},
          .inter_node = {.bandwidth = make<byte_rate>(10e9), .latency = make<seconds>(100e-9)}}});

    // Four GPUs a node, at most 64, every rate and efficiency set, fp4 and int8 peaks.
    out.push_back({"capped-4x16",
                   {.gpu = {.peak_bf16 = make<flop_rate>(900e12),
                            .peak_fp8 = make<flop_rate>(1800e12),
                            .peak_fp4 = make<flop_rate>(3600e12),
                            .peak_int8 = make<flop_rate>(1700e12),
                            .hbm = make<bytes>(96e9),
                            .hbm_bandwidth = make<byte_rate>(4e12),
                            MOECOST_DUMP_EFFICIENCIES(0.6, 0.9)},
                    .gpus_per_node = 4,
                    .max_gpus = 64,
                    .intra_node = {.bandwidth = make<byte_rate>(400e9),
                                   .latency = make<seconds>(2e-6),
                                   .efficiency = 0.7},
                    .inter_node = {.bandwidth = make<byte_rate>(25e9),
                                   .latency = make<seconds>(8e-6),
                                   .efficiency = 0.6}}});

    out.push_back({"h100-sxm-idealized", idealized(presets::h100_sxm)});

    cluster_spec bad = presets::h100_sxm;
    bad.gpu.peak_bf16 = make<flop_rate>(0);
    bad.gpus_per_node = 0;
    out.push_back({"invalid-cluster", bad, false});
    return out;
}

struct named_workload {
    const char* name;
    workload w;
};

const std::array<named_workload, 6> workloads{{
    {"w-one", {.batch = 1, .prompt = 128}},
    {"w-chat", {.batch = 64, .prompt = 2048, .context = 4096}},
    {"w-cached", {.batch = 512, .prompt = 4096, .context = 8192, .prefix_cache_hit = 0.5}},
    {"w-draft",
     {.batch = 256, .prompt = 1024, .context = 1536, .draft_tokens = 2, .draft_acceptance = 0.8}},
    {"w-micro",
     {.batch = 96, .prompt = 6000, .prefill_micro_batches = 4, .decode_micro_batches = 2}},
    {"w-odd", {.batch = 1000, .prompt = 333, .context = 2000}},
}};

struct named_options {
    const char* name;
    eval_options o;
};

const std::array<named_options, 7> options{{
    {"o-default", {}},
    {"o-ideal", {.ideal = true}},
    {"o-overlap-imb", {.overlap = true, .expert_imbalance = 1.3}},
    {"o-fp8-skew", {.memory_headroom = 0.8, .dispatch_fp8 = true, .routing_skew = 1.0}},
    {"o-skew-overlap", {.overlap = true, .expert_imbalance = 1.1, .routing_skew = 0.6}},
    {"o-ideal-skew", {.ideal = true, .expert_imbalance = 1.5, .routing_skew = 2.0}},
    {"o-headroom", {.memory_headroom = 0.5, .dispatch_fp8 = true}},
}};

struct named_requirements {
    const char* name;
    requirements r;
};

const std::array<named_requirements, 4> requirement_sets{{
    {"r-all",
     {.min_prefill_tokens_per_gpu = make<token_rate>(1000),
      .min_decode_tokens_per_gpu = make<token_rate>(100),
      .max_ttft = make<seconds>(2.0),
      .max_tpot = make<seconds>(0.05),
      .max_memory_per_gpu = make<bytes>(60e9)}},
    {"r-latency", {.max_ttft = make<seconds>(0.5), .max_tpot = make<seconds>(0.02)}},
    {"r-throughput",
     {.min_prefill_tokens_per_gpu = make<token_rate>(20000),
      .min_decode_tokens_per_gpu = make<token_rate>(2000)}},
    {"r-impossible",
     {.min_decode_tokens_per_gpu = make<token_rate>(1e9), .max_tpot = make<seconds>(1e-6)}},
}};

struct named_training {
    const char* name;
    training_workload t;
};

const std::array<named_training, 6> trainings{{
    {"t-plain", {.global_batch = 256, .micro_batch = 1, .seq = 4096}},
    {"t-zero1-sel-sp-v2",
     {.global_batch = 512,
      .micro_batch = 2,
      .seq = 2048,
      .zero = 1,
      .rc = recompute::selective,
      .sequence_parallel = true,
      .virtual_stages = 2}},
    {"t-zero3-full-fp8",
     {.global_batch = 1024,
      .micro_batch = 1,
      .seq = 8192,
      .optimizer_state = dtype::bf16,
      .grads = dtype::bf16,
      .fp8_gemm = true,
      .zero = 3,
      .rc = recompute::full,
      .overlap_grad_reduce = true}},
    {"t-sgd-zero2-scores",
     {.global_batch = 128,
      .micro_batch = 4,
      .seq = 1024,
      .optimizer = optimizer_kind::sgd,
      .master_weights = false,
      .zero = 2,
      .flash_attention = false,
      .dropout = true}},
    {"t-v4-sel",
     {.global_batch = 64,
      .micro_batch = 1,
      .seq = 4096,
      .zero = 1,
      .rc = recompute::selective,
      .virtual_stages = 4}},
    {"t-small-batch", {.global_batch = 3, .micro_batch = 2, .seq = 512}},
}};

std::string describe_layout(const layout& l) {
    char s[160];
    std::snprintf(s, sizeof s, "tp%d.cp%d.dp%d.pp%d.etp%d.ep%d.r%d.u%d", l.tp, l.cp, l.dp, l.pp,
                  l.etp, l.ep, l.redundant_experts, l.uneven_stages ? 1 : 0);
    return s;
}

std::vector<int> divisors(int n, int cap) {
    std::vector<int> out;
    for (int i = 1; i <= n && i <= cap; ++i)
        if (n % i == 0)
            out.push_back(i);
    return out;
}

/// A layout drawn for model m: mostly powers of two, sometimes not; an expert mesh that divides
/// the stage most of the time; redundant experts, uneven stages; now and then an invalid degree.
layout draw_layout(rng& r, const model_spec& m) {
    layout l;
    l.tp = r.pick(std::array{1, 1, 2, 2, 4, 4, 8, 8, 16, 3, 6});
    l.cp = r.pick(std::array{1, 1, 1, 1, 2, 2, 4, 3});
    l.dp = r.pick(std::array{1, 1, 2, 2, 4, 4, 8, 8, 16, 32, 3, 5});
    l.pp = r.pick(std::array{1, 1, 1, 2, 2, 4, 4, 8, 3, 5, 7, 16});
    const int stage = l.tp * l.cp * l.dp;
    l.etp = r.chance(50) ? 0 : r.pick(divisors(stage, 16));
    const int etp = l.etp > 0 ? l.etp : l.tp;
    if (r.chance(85) && stage % etp == 0)
        l.ep = r.pick(divisors(stage / etp, 1 << 20));
    else
        l.ep = r.pick(std::array{1, 2, 3, 4, 8, 16, 32, 64, 72, 256});
    const int experts = m.moe.experts;
    if (r.chance(25) && experts > 0)
        l.redundant_experts = (l.ep - experts % l.ep) % l.ep;
    else if (r.chance(10))
        l.redundant_experts = r.pick(std::array{8, 16, 32});
    l.uneven_stages = r.chance(20);
    if (r.chance(2)) {
        switch (r.below(4)) {
        case 0:
            l.tp = 0;
            break;
        case 1:
            l.pp = -1;
            break;
        case 2:
            l.etp = -2;
            break;
        default:
            l.redundant_experts = -1;
            break;
        }
    }
    return l;
}

// ---- sections --------------------------------------------------------------------------------

void counts(dumper& d, const named_spec& n) {
    const model_spec& m = n.spec;
    d.begin_case("counts " + n.name);
    dump(d, validate(m));
    if (!n.valid)
        return;
    {
        const scope s(d, "total_params");
        dump(d, total_params(m));
    }
    {
        const scope s(d, "active_params");
        dump(d, active_params(m));
    }
    d.num("attention_params_per_layer", attention_params_per_layer(m));
    d.num("norm_params_per_layer", norm_params_per_layer(m));
    d.num("dense_ffn_params", dense_ffn_params(m));
    d.num("expert_params", expert_params(m));
    d.num("shared_expert_params", shared_expert_params(m));
    d.num("router_params", router_params(m));
    d.num("expert_bytes", expert_bytes(m));
    d.num("table_params", table_params(m));
    d.num("weight_bytes", weight_bytes(m));
    d.num("moe_layers", moe_layers(m));
    d.num("dense_layers", dense_layers(m));
    d.num("sliding_layers", sliding_layers(m));
    for (int i = 0; i < m.layers; ++i) {
        const scope s(d, indexed("layer", static_cast<std::size_t>(i)));
        d.num("moe", is_moe_layer(m, i));
        d.num("sliding", is_sliding_layer(m, i));
    }
    d.num("kv_elements_per_token_per_layer", kv_elements_per_token_per_layer(m));
    d.num("kv_bytes_per_token_per_layer", kv_bytes_per_token_per_layer(m));
    d.num("kv_bytes_per_token", kv_bytes_per_token(m));
    for (const double t : {1.0, 100.0, 511.0, 4096.0, 5000.5, 131072.0}) {
        const scope s(d, "n" + std::to_string(static_cast<long>(t * 10)));
        d.num("kv_cache_bytes", kv_cache_bytes(m, t));
        d.num("inference_activation_bytes", inference_activation_bytes(m, t, 1.0));
        d.num("inference_activation_bytes_all_rows", inference_activation_bytes(m, t, t));
    }
    for (const double s : {1.0, 17.0, 2048.0, 32768.0}) {
        const scope ss(d, "s" + std::to_string(static_cast<long>(s)));
        {
            const scope k(d, "prefill");
            dump(d, prefill_flops(m, s));
        }
        {
            const scope k(d, "prefill_absorbed_all_logits");
            dump(d, prefill_flops(m, s, {.causal = true, .mla = mla_form::absorbed}, s));
        }
        {
            const scope k(d, "prefill_bidirectional");
            dump(d, prefill_flops(m, s, {.causal = false}));
        }
        d.num("prefill_flops_per_token", prefill_flops_per_token(m, s));
        {
            const scope k(d, "mtp");
            dump(d, mtp_flops(m, s));
        }
        {
            const scope k(d, "mtp_bidirectional_absorbed");
            dump(d, mtp_flops(m, s, {.causal = false, .mla = mla_form::absorbed}));
        }
        d.num("training_none", training_flops_per_token(m, s));
        d.num("training_selective", training_flops_per_token(m, s, recompute::selective));
        d.num("training_full", training_flops_per_token(m, s, recompute::full));
        d.num("training_full_bidirectional",
              training_flops_per_token(m, s, recompute::full, false));
    }
    for (const double c : {1.0, 1000.0, 4096.0, 131072.0}) {
        const scope cc(d, "c" + std::to_string(static_cast<long>(c)));
        {
            const scope k(d, "decode");
            dump(d, decode_flops(m, c));
        }
        {
            const scope k(d, "decode_naive");
            dump(d, decode_flops(m, c, mla_form::naive));
        }
    }
    const std::array<activation_options, 5> acts{{
        {},
        {.tp = 2, .sequence_parallel = true},
        {.tp = 8, .rc = recompute::selective, .store_scores = false, .dropout = false},
        {.tp = 4, .sequence_parallel = true, .rc = recompute::full},
        {.tp = 8, .sequence_parallel = false, .rc = recompute::full},
    }};
    for (const int i : {0, m.layers / 2, m.layers - 1})
        for (std::size_t a = 0; a < acts.size(); ++a) {
            const scope s(d, "act" + std::to_string(i) + "_" + std::to_string(a));
            d.num("s2048_b1", training_activation_bytes_layer(m, i, 2048, 1, acts[a]));
            d.num("s4096_b4", training_activation_bytes_layer(m, i, 4096, 4, acts[a]));
        }
    if (is_moe(m))
        for (const double t : {1.0, 8.0, 64.0, 1024.0, 1e6})
            for (const double skew : {0.0, 0.5, 1.2, 4.0}) {
                const scope s(d, "touched_n" + std::to_string(static_cast<long>(t)) + "_s" +
                                     std::to_string(static_cast<int>(skew * 10)));
                d.num("experts_touched", experts_touched(m.moe.experts, m.moe.top_k, t, skew));
            }
}

void specs(dumper& d) {
    for (const auto& w : workloads) {
        d.begin_case(std::string("workload ") + w.name);
        dump(d, validate(w.w));
        d.num("tokens_per_decode_step", tokens_per_decode_step(w.w));
    }
    for (const auto& o : options) {
        d.begin_case(std::string("options ") + o.name);
        dump(d, validate(o.o));
    }
    for (const auto& t : trainings) {
        d.begin_case(std::string("training ") + t.name);
        dump(d, validate(t.t));
    }
    for (const auto& c : clusters()) {
        d.begin_case("cluster " + c.name);
        dump(d, validate(c.spec));
    }
    const std::array<workload, 4> bad_workloads{{
        {.batch = 0, .prompt = -1, .context = -3},
        {.draft_tokens = 17, .draft_acceptance = 1.5, .prefix_cache_hit = 1.0},
        {.prefill_micro_batches = -1, .decode_micro_batches = -2, .draft_tokens = -1},
        {.draft_acceptance = -0.5, .prefix_cache_hit = -0.25},
    }};
    for (std::size_t i = 0; i < bad_workloads.size(); ++i) {
        d.begin_case("bad workload " + std::to_string(i));
        dump(d, validate(bad_workloads[i]));
        d.num("tokens_per_decode_step", tokens_per_decode_step(bad_workloads[i]));
    }
    const std::array<eval_options, 2> bad_options{{
        {.expert_imbalance = 0.5, .memory_headroom = 0, .routing_skew = -1},
        {.expert_imbalance = NAN, .memory_headroom = 1.5, .routing_skew = 17},
    }};
    for (std::size_t i = 0; i < bad_options.size(); ++i) {
        d.begin_case("bad options " + std::to_string(i));
        dump(d, validate(bad_options[i]));
    }
    const std::array<training_workload, 2> bad_trainings{{
        {.global_batch = 0, .micro_batch = 0, .seq = 0, .zero = 4, .virtual_stages = 0},
        {.global_batch = 8, .optimizer_state = dtype::int4, .grads = dtype::nvfp4, .zero = -1},
    }};
    for (std::size_t i = 0; i < bad_trainings.size(); ++i) {
        d.begin_case("bad training " + std::to_string(i));
        dump(d, validate(bad_trainings[i]));
    }
    const std::array<layout, 4> bad_layouts{{
        {.tp = 0, .cp = -1, .dp = 0, .pp = 0, .etp = -1, .ep = 0, .redundant_experts = -1},
        {.tp = 1 << 21, .dp = 2},
        {.tp = 4096, .cp = 4096, .dp = 4},
        {.tp = 2, .dp = 3, .ep = 4},
    }};
    for (std::size_t i = 0; i < bad_layouts.size(); ++i) {
        d.begin_case("bad layout " + std::to_string(i));
        dump(d, validate(bad_layouts[i]));
    }
}

/// Any-layout claims of each model on each GPU, both phases, three workloads.
void claims(dumper& d, const std::vector<named_spec>& ms, const std::vector<named_hw>& cs) {
    for (const auto& m : ms) {
        if (!m.valid)
            continue;
        for (const auto& c : cs) {
            if (!c.valid)
                continue;
            for (const std::size_t wi : {std::size_t{0}, std::size_t{2}, std::size_t{3}})
                for (const phase p : {phase::prefill, phase::decode}) {
                    d.begin_case("claim " + m.name + " " + c.name + " " + workloads[wi].name + " " +
                                 name_of(p));
                    dump(d, check_claim(make<token_rate>(p == phase::prefill ? 20000.0 : 1500.0), p,
                                        m.spec, c.spec.gpu, workloads[wi].w));
                }
        }
    }
}

struct sizes {
    int layouts = 80;         ///< drawn layouts per model and cluster
    int training_layouts = 6; ///< of those, evaluated for training too
    double searches = 1.0;    ///< share of the searches run
};

void evaluations(dumper& d, const std::vector<named_spec>& ms, const std::vector<named_hw>& cs,
                 const sizes& z) {
    for (std::size_t mi = 0; mi < ms.size(); ++mi) {
        const named_spec& m = ms[mi];
        for (std::size_t ci = 0; ci < cs.size(); ++ci) {
            const named_hw& c = cs[ci];
            rng r(0x6d6f65636f7374ULL ^ (static_cast<std::uint64_t>(mi) << 32) ^
                  (static_cast<std::uint64_t>(ci) << 16));
            const int n = m.valid && c.valid ? z.layouts : 2;
            const std::string pair = m.name + " " + c.name + " ";
            for (int j = 0; j < n; ++j) {
                const layout l = draw_layout(r, m.spec);
                const std::string at = pair + describe_layout(l);
                d.begin_case("check_layout " + at);
                dump(d, check_layout(m.spec, c.spec, l, workloads[1].w));
                for (std::size_t wi = 0; wi < workloads.size(); ++wi) {
                    const auto& w = workloads[wi];
                    d.begin_case("evaluate " + at + " " + w.name + " o-default");
                    dump(d, evaluate(m.spec, c.spec, l, w.w));
                    const auto& o =
                        options[1 + (static_cast<std::size_t>(j) + wi) % (options.size() - 1)];
                    d.begin_case("evaluate " + at + " " + w.name + " " + o.name);
                    dump(d, evaluate(m.spec, c.spec, l, w.w, o.o));
                }
                {
                    const auto ju = static_cast<std::size_t>(j);
                    const auto& w = workloads[ju % workloads.size()];
                    const auto& o = options[ju % options.size()];
                    const auto& q = requirement_sets[ju % requirement_sets.size()];
                    d.begin_case("evaluate " + at + " " + w.name + " " + o.name + " " + q.name);
                    dump(d, evaluate(m.spec, c.spec, l, w.w, o.o, q.r));
                }
                if (j < 2 && m.valid && c.valid)
                    for (const phase p : {phase::prefill, phase::decode}) {
                        d.begin_case("claim " + at + " " + workloads[1].name + " " + name_of(p));
                        dump(d, check_claim(make<token_rate>(1000.0), p, m.spec, c.spec, l,
                                            workloads[1].w));
                    }
                if (j < z.training_layouts || !(m.valid && c.valid))
                    for (std::size_t ti = 0; ti < trainings.size(); ++ti) {
                        const auto& t = trainings[ti];
                        const auto& o = options[(static_cast<std::size_t>(j) + ti) % 4];
                        d.begin_case("evaluate_training " + at + " " + t.name + " " + o.name);
                        dump(d, evaluate_training(m.spec, c.spec, l, t.t, o.o));
                    }
            }
        }
    }
}

const model_spec* find(const std::vector<named_spec>& ms, std::string_view name) {
    for (const auto& m : ms)
        if (m.name == name)
            return &m.spec;
    std::fprintf(stderr, "dump: no model %.*s\n", static_cast<int>(name.size()), name.data());
    std::exit(2);
}

const cluster_spec* find(const std::vector<named_hw>& cs, std::string_view name) {
    for (const auto& c : cs)
        if (c.name == name)
            return &c.spec;
    std::fprintf(stderr, "dump: no cluster %.*s\n", static_cast<int>(name.size()), name.data());
    std::exit(2);
}

struct search_case {
    const char* model;
    const char* cluster;
    search_space space;
    workload w;
    std::size_t req; ///< requirement_sets index, or 99 for none
    objective obj;
    std::size_t opt; ///< options index
};

struct training_search_case {
    const char* model;
    const char* cluster;
    search_space space;
    training_workload t;
    training_objective obj;
    std::size_t opt;
    double max_memory; ///< bytes, 0 for none
};

void searches(dumper& d, const std::vector<named_spec>& ms, const std::vector<named_hw>& cs,
              const sizes& z) {
    using o = objective;
    const std::vector<search_case> cases{
        {"seed-moe",
         "seed-gpu",
         {.min_gpus = 8, .max_gpus = 64, .batches = {64, 128, 256}, .pow2_only = true},
         {.batch = 128, .prompt = 10240},
         99,
         o::decode_tokens_per_gpu,
         0},
        {"seed-moe",
         "seed-gpu",
         {.min_gpus = 1, .max_gpus = 24, .batches = {96, 192}, .max_cp = 2},
         {.batch = 96, .prompt = 4096},
         0,
         o::tpot,
         2},
        {"deepseek-v3",
         "h800",
         {.min_gpus = 32, .max_gpus = 256, .batches = {1024, 4096}, .pow2_only = true},
         {.batch = 4096, .prompt = 4096, .context = 4989},
         99,
         o::decode_tokens_per_gpu,
         0},
        {"deepseek-v3",
         "gb200-nvl72",
         {.min_gpus = 72, .max_gpus = 72, .batches = {576, 2304}, .pad_experts = true},
         {.batch = 576, .prompt = 4096, .context = 8192},
         99,
         o::decode_tokens_per_gpu,
         3},
        {"deepseek-v3-mtp",
         "h200",
         {.min_gpus = 16, .max_gpus = 64, .batches = {256, 1024}, .pow2_only = true},
         workloads[3].w,
         99,
         o::tpot,
         0},
        {"mixtral-8x7b",
         "h100-sxm",
         {.min_gpus = 1, .max_gpus = 16, .batches = {16, 64, 256}, .max_cp = 2},
         {.batch = 64, .prompt = 2048},
         1,
         o::tpot,
         0},
        {"qwen3-30b-a3b",
         "h200",
         {.min_gpus = 8, .max_gpus = 8, .batches = {8, 64, 512}},
         workloads[2].w,
         99,
         o::ttft,
         2},
        {"qwen3-235b-a22b",
         "b200",
         {.min_gpus = 8, .max_gpus = 32, .batches = {128, 1024}, .pow2_only = true},
         workloads[1].w,
         2,
         o::prefill_tokens_per_gpu,
         4},
        {"llama-3-70b",
         "a100-sxm-80gb",
         {.min_gpus = 4, .max_gpus = 32, .batches = {32, 128}},
         {.batch = 32, .prompt = 2048},
         0,
         o::fewest_gpus,
         0},
        {"llama-3-8b",
         "h20",
         {.min_gpus = 1, .max_gpus = 8, .batches = {1, 8, 64, 512}, .max_cp = 4},
         {.batch = 8, .prompt = 8192},
         99,
         o::ttft,
         1},
        {"gpt-oss-120b",
         "b200",
         {.min_gpus = 1, .max_gpus = 8, .batches = {16, 128}},
         workloads[1].w,
         99,
         o::prefill_tokens_per_gpu,
         5},
        {"gpt-oss-20b",
         "mi300x",
         {.min_gpus = 1, .max_gpus = 4, .batches = {4, 32, 256}},
         workloads[1].w,
         1,
         o::decode_tokens_per_gpu,
         6},
        {"olmoe-1b-7b",
         "mi300x",
         {.min_gpus = 1, .max_gpus = 8},
         {.batch = 64, .prompt = 1024},
         99,
         o::decode_tokens_per_gpu,
         1},
        {"glm-4.5-air",
         "h100-sxm",
         {.min_gpus = 4, .max_gpus = 32, .batches = {64, 256}, .max_cp = 4, .pow2_only = true},
         workloads[2].w,
         99,
         o::decode_tokens_per_gpu,
         4},
        {"deepseek-v2",
         "h800",
         {.min_gpus = 16,
          .max_gpus = 128,
          .batches = {512, 2048},
          .pow2_only = true,
          .pad_experts = true},
         workloads[1].w,
         0,
         o::tpot,
         2},
        {"deepseek-v2-lite",
         "h20",
         {.min_gpus = 1, .max_gpus = 16, .batches = {32, 128}},
         workloads[4].w,
         99,
         o::prefill_tokens_per_gpu,
         0},
        {"tiny-moe",
         "toy",
         {.min_gpus = 1, .max_gpus = 16, .batches = {4, 8, 16}, .max_cp = 2},
         {.batch = 8, .prompt = 64},
         99,
         o::decode_tokens_per_gpu,
         0},
        {"tiny-moe-mtp",
         "toy",
         {.min_gpus = 1, .max_gpus = 8, .batches = {4, 8}},
         {.batch = 4, .prompt = 8, .draft_tokens = 1, .draft_acceptance = 0.5},
         99,
         o::tpot,
         0},
        {"seven-shapes",
         "capped-4x16",
         {.min_gpus = 1, .max_gpus = 64, .batches = {64, 256}, .pow2_only = true},
         workloads[1].w,
         99,
         o::fewest_gpus,
         2},
        {"sliding-dense",
         "h100-sxm",
         {.min_gpus = 1, .max_gpus = 16, .batches = {16, 64}, .max_cp = 2},
         workloads[1].w,
         2,
         o::decode_tokens_per_gpu,
         0},
        {"phased-moe",
         "b200",
         {.min_gpus = 2, .max_gpus = 24, .batches = {64, 240}},
         workloads[2].w,
         99,
         o::decode_tokens_per_gpu,
         3},
        {"mla-mtp",
         "h200",
         {.min_gpus = 1, .max_gpus = 16, .batches = {32, 128}},
         workloads[3].w,
         99,
         o::tpot,
         4},
        {"gpt-1.3b",
         "a100-sxm-80gb",
         {.min_gpus = 1, .max_gpus = 8, .batches = {8, 64}},
         workloads[1].w,
         1,
         o::ttft,
         0},
        {"gpt2-small-fp32",
         "h20",
         {.min_gpus = 1, .max_gpus = 4},
         workloads[0].w,
         99,
         o::decode_tokens_per_gpu,
         0},
        {"mqa-int4-novocab",
         "capped-4x16",
         {.min_gpus = 1, .max_gpus = 28, .batches = {12, 48}},
         workloads[1].w,
         99,
         o::prefill_tokens_per_gpu,
         1},
        {"odd-moe",
         "h800",
         {.min_gpus = 1, .max_gpus = 24, .batches = {24, 96}, .max_cp = 3},
         {.batch = 24, .prompt = 3072},
         99,
         o::decode_tokens_per_gpu,
         2},
        {"deepseek-v3",
         "h100-sxm",
         {.min_gpus = 8, .max_gpus = 8, .batches = {64}},
         workloads[1].w,
         0,
         o::decode_tokens_per_gpu,
         0}, // fits nowhere: misses only
        {"llama-3-8b",
         "h100-sxm",
         {.min_gpus = 8, .max_gpus = 8, .batches = {64}},
         workloads[1].w,
         3,
         o::tpot,
         0}, // targets out of reach: misses only
        {"invalid-model",
         "h100-sxm",
         {.min_gpus = 1, .max_gpus = 8},
         workloads[1].w,
         99,
         o::decode_tokens_per_gpu,
         0}, // invalid spec: nothing evaluated
        {"llama-3-8b",
         "invalid-cluster",
         {.min_gpus = 1, .max_gpus = 8},
         workloads[1].w,
         99,
         o::decode_tokens_per_gpu,
         0},
        {"qwen3-30b-a3b",
         "gb200-nvl72",
         {.min_gpus = 36, .max_gpus = 72, .batches = {288, 1152}, .pad_experts = true},
         workloads[1].w,
         99,
         o::decode_tokens_per_gpu,
         0},
        {"mixtral-8x7b",
         "capped-4x16",
         {.min_gpus = 48, .max_gpus = 96, .batches = {96}},
         workloads[1].w,
         99,
         o::prefill_tokens_per_gpu,
         0}, // beyond max_gpus
    };
    const auto n = static_cast<std::size_t>(std::ceil(z.searches * double(cases.size())));
    for (std::size_t i = 0; i < cases.size() && i < n; ++i) {
        const search_case& s = cases[i];
        const auto& opt = options[s.opt];
        d.begin_case(std::string("search ") + s.model + " " + s.cluster + " " + std::to_string(i) +
                     " " + name_of(s.obj) + " " + opt.name);
        const requirements req =
            s.req < requirement_sets.size() ? requirement_sets[s.req].r : requirements{};
        dump_search(
            d, search(*find(ms, s.model), *find(cs, s.cluster), s.space, s.w, req, s.obj, opt.o));
    }

    using t = training_objective;
    const std::vector<training_search_case> tcases{
        {"llama-3-8b",
         "h100-sxm",
         {.min_gpus = 8, .max_gpus = 8},
         {.global_batch = 64, .micro_batch = 1, .seq = 4096},
         t::tokens_per_gpu,
         0,
         0},
        {"llama-3-70b",
         "h100-sxm",
         {.min_gpus = 16, .max_gpus = 64, .batches = {256, 512}, .pow2_only = true},
         trainings[1].t,
         t::mfu,
         0,
         0},
        {"mixtral-8x7b",
         "h200",
         {.min_gpus = 8, .max_gpus = 32, .batches = {128, 256}},
         trainings[0].t,
         t::step_time,
         2,
         0},
        {"deepseek-v3",
         "h800",
         {.min_gpus = 256, .max_gpus = 1024, .batches = {1024}, .pow2_only = true},
         trainings[2].t,
         t::tokens_per_gpu,
         0,
         0},
        {"deepseek-v3-mtp",
         "h800",
         {.min_gpus = 512, .max_gpus = 512, .batches = {2048}, .pow2_only = true},
         trainings[0].t,
         t::mfu,
         3,
         60e9},
        {"qwen3-30b-a3b",
         "b200",
         {.min_gpus = 8, .max_gpus = 16, .batches = {64, 256}},
         trainings[4].t,
         t::fewest_gpus,
         0,
         0},
        {"olmoe-1b-7b",
         "a100-sxm-80gb",
         {.min_gpus = 1, .max_gpus = 8, .batches = {32, 64}},
         trainings[3].t,
         t::tokens_per_gpu,
         1,
         0},
        {"gpt-1.3b",
         "a100-sxm-80gb",
         {.min_gpus = 1, .max_gpus = 16, .batches = {64, 512}},
         trainings[3].t,
         t::mfu,
         0,
         20e9},
        {"gpt2-small-fp32",
         "h20",
         {.min_gpus = 1, .max_gpus = 8},
         trainings[0].t,
         t::step_time,
         4,
         0},
        {"phased-moe",
         "capped-4x16",
         {.min_gpus = 4, .max_gpus = 32, .batches = {128}, .pow2_only = true},
         trainings[1].t,
         t::tokens_per_gpu,
         0,
         0},
        {"mla-mtp",
         "h100-sxm",
         {.min_gpus = 1, .max_gpus = 16, .batches = {64, 96}},
         trainings[4].t,
         t::mfu,
         2,
         0},
        {"seven-shapes",
         "toy",
         {.min_gpus = 1, .max_gpus = 16, .batches = {16}},
         {.global_batch = 16, .seq = 64},
         t::tokens_per_gpu,
         0,
         0}, // 1 MB: misses
        {"sliding-dense",
         "h100-sxm",
         {.min_gpus = 2, .max_gpus = 16, .batches = {64}, .max_cp = 2, .pad_experts = true},
         trainings[2].t,
         t::fewest_gpus,
         1,
         0},
        {"invalid-model",
         "h100-sxm",
         {.min_gpus = 1, .max_gpus = 8},
         trainings[0].t,
         t::tokens_per_gpu,
         0,
         0},
    };
    const auto tn = static_cast<std::size_t>(std::ceil(z.searches * double(tcases.size())));
    for (std::size_t i = 0; i < tcases.size() && i < tn; ++i) {
        const training_search_case& s = tcases[i];
        const auto& opt = options[s.opt];
        d.begin_case(std::string("search_training ") + s.model + " " + s.cluster + " " +
                     std::to_string(i) + " " + name_of(s.obj) + " " + opt.name);
        dump_training_search(d, search_training(*find(ms, s.model), *find(cs, s.cluster), s.space,
                                                s.t, s.obj, opt.o, make<bytes>(s.max_memory)));
    }
}

} // namespace

int main(int argc, char** argv) {
    sizes z;
    const char* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--scale" && i + 1 < argc) {
            const double s = std::strtod(argv[++i], nullptr);
            if (!(s > 0 && s <= 4)) { // 4: 5 GB of text
                std::fprintf(stderr, "dump: --scale wants a number in (0, 4]\n");
                return 2;
            }
            z.layouts = static_cast<int>(std::ceil(z.layouts * s));
            z.training_layouts = static_cast<int>(std::ceil(z.training_layouts * s));
            z.searches = s < 1 ? s : 1.0;
        } else if (a == "-h" || a == "--help") {
            std::printf("usage: dump [--scale S] [OUT]\n");
            return 0;
        } else if (path == nullptr && !a.starts_with("-")) {
            path = argv[i];
        } else {
            std::fprintf(stderr, "dump: unknown argument %s (usage: dump [--scale S] [OUT])\n",
                         argv[i]);
            return 2;
        }
    }
    std::FILE* f = path != nullptr ? std::fopen(path, "wb") : stdout;
    if (f == nullptr) {
        std::fprintf(stderr, "dump: cannot write %s\n", path);
        return 1;
    }
    {
        dumper d(f);
        const auto ms = models();
        const auto cs = clusters();
        specs(d);
        for (const auto& m : ms)
            counts(d, m);
        claims(d, ms, cs);
        evaluations(d, ms, cs, z);
        searches(d, ms, cs, z);
        d.totals();
    }
    const bool ok = std::ferror(f) == 0;
    if (path != nullptr && std::fclose(f) != 0)
        return 1;
    return ok ? 0 : 1;
}
