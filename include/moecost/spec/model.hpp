#pragma once
/**
 * @file
 * The model spec: a constexpr aggregate describing a dense or Mixture-of-Experts
 * transformer (MHA, GQA or MLA attention; gated or plain FFN; routed and shared experts;
 * dense-first layers), and its type face.
 *
 * @code
 * constexpr moecost::model_spec tiny{
 *     .name = "tiny", .layers = 2, .hidden = 64, .vocab = 100,
 *     .attention = {.heads = 4, .kv_heads = 2},
 *     .ffn = {.hidden = 128},
 *     .moe = {.experts = 4, .top_k = 2, .expert_hidden = 32}};
 * static_assert(moecost::validate(tiny).ok());
 * @endcode
 */

#include <moecost/detail/diagnostics.hpp>
#include <moecost/detail/fixed_string.hpp>
#include <moecost/spec/violation.hpp>

#include <array>
#include <bit>
#include <concepts>
#include <cstdint>

namespace moecost {

/**
 * Element types of weights, KV cache and activations. The three 4-bit ones are formats for
 * weights, elements sharing a scale per block. mxfp4 is the OCP Microscaling format (MX
 * v1.0): E2M1 elements, one 8-bit E8M0 scale per 32, 4.25 bits each (gpt-oss's routed
 * experts). nvfp4 is NVIDIA's: E2M1, one FP8 E4M3 scale per 16, 4.5 bits each (and one fp32
 * scale per tensor, not counted). int4 is AWQ's and GPTQ's usual grouping: 4-bit integers, one
 * fp16 scale and one 4-bit zero point per group of 128, 4.15625 bits each. int8 is 8-bit
 * integers (SmoothQuant's and compressed-tensors' W8A8; per-channel scales not counted).
 */
enum class dtype : std::uint8_t { fp32, bf16, fp16, fp8, mxfp4, nvfp4, int4, int8 };

/// Bytes per element of a dtype, block scales included.
constexpr double bytes_of(dtype t) {
    switch (t) {
    case dtype::fp32:
        return 4.0;
    case dtype::bf16:
        return 2.0;
    case dtype::fp16:
        return 2.0;
    case dtype::fp8:
        return 1.0;
    case dtype::mxfp4:
        return (4.0 + 8.0 / 32.0) / 8.0;
    case dtype::nvfp4:
        return (4.0 + 8.0 / 16.0) / 8.0;
    case dtype::int4:
        return (4.0 + (16.0 + 4.0) / 128.0) / 8.0;
    case dtype::int8:
        return 1.0;
    }
    return 0.0;
}

constexpr const char* name_of(dtype t) {
    switch (t) {
    case dtype::fp32:
        return "fp32";
    case dtype::bf16:
        return "bf16";
    case dtype::fp16:
        return "fp16";
    case dtype::fp8:
        return "fp8";
    case dtype::mxfp4:
        return "mxfp4";
    case dtype::nvfp4:
        return "nvfp4";
    case dtype::int4:
        return "int4";
    case dtype::int8:
        return "int8";
    }
    return "?";
}

/// RMSNorm has one weight per channel; LayerNorm a weight and a bias.
enum class norm_kind : std::uint8_t { rms, layer };

/// GQA covers MHA (kv_heads == heads) and MQA (kv_heads == 1); MLA is DeepSeek's latent form.
enum class attention_kind : std::uint8_t { gqa, mla };

/// Normalisation of queries and keys: none, per head (Qwen3), or over all heads (OLMoE).
enum class qk_norm_kind : std::uint8_t { none, per_head, full };

/// Layers with a sliding window: layer i uses the window iff window > 0 and i % every == offset.
struct sliding_window_spec {
    int window = 0; ///< tokens; 0 means no sliding-window layers
    int every = 1;
    int offset = 0;
    friend constexpr bool operator==(const sliding_window_spec&,
                                     const sliding_window_spec&) = default;
};

struct attention_spec {
    attention_kind kind = attention_kind::gqa;
    int heads = 0;
    int kv_heads = 0; ///< GQA: 0 means heads (MHA)
    int head_dim = 0; ///< GQA: 0 means hidden / heads
    // MLA (DeepSeek-V2 §2.1): q_lora_rank 0 means no query compression.
    int q_lora_rank = 0;
    int kv_lora_rank = 0;
    int qk_nope_head_dim = 0;
    int qk_rope_head_dim = 0;
    int v_head_dim = 0;
    bool qkv_bias = false;
    bool out_bias = false;
    qk_norm_kind qk_norm = qk_norm_kind::none;
    bool sinks = false; ///< one learned sink logit per head (gpt-oss)
    sliding_window_spec sliding{};
    friend constexpr bool operator==(const attention_spec&, const attention_spec&) = default;
};

/// The dense FFN (also the shape of dense-first layers of an MoE model).
struct ffn_spec {
    int hidden = 0;    ///< intermediate size
    bool gated = true; ///< SwiGLU/GeGLU: three matrices; plain: two
    bool bias = false; ///< linear biases (GPT-2)
    friend constexpr bool operator==(const ffn_spec&, const ffn_spec&) = default;
};

/**
 * Mixture of experts. Layer i is an MoE layer iff experts > 0, i >= first_dense,
 * i % every == phase and bit i of dense_mask is clear. DeepSeek's `moe_layer_freq` is
 * every (phase 0); Qwen-MoE's `decoder_sparse_step` is every with phase every-1 and its
 * `mlp_only_layers` set dense_mask.
 */
struct moe_spec {
    int experts = 0; ///< routed experts per MoE layer; 0 makes a dense model
    int top_k = 0;
    int expert_hidden = 0;
    int shared_experts = 0;
    int shared_hidden = 0;    ///< intermediate size of each shared expert
    bool shared_gate = false; ///< sigmoid gate on the shared expert (Qwen2-MoE): h weights
    bool router_bias = false; ///< one bias per expert (DeepSeek-V3 correction bias, gpt-oss)
    bool expert_bias = false; ///< biases inside each expert (gpt-oss)
    int first_dense = 0;      ///< first_k_dense_replace
    int every = 1;
    int phase = 0;
    std::array<std::uint64_t, 4> dense_mask{}; ///< explicit dense layers, up to 256
    /// Expert groups for group-limited routing (DeepSeek-V2/V3's n_group): equal groups of
    /// experts/groups routed experts each (docs/model.md §10.2).
    int groups = 1;
    /// Groups a token picks its top_k experts within (topk_group); 0: no limit. The limit caps
    /// the nodes a token's copies reach.
    int group_top_k = 0;
    friend constexpr bool operator==(const moe_spec&, const moe_spec&) = default;
};

/**
 * A dtype that may be left unset, so that a component follows another one's; `value` means
 * nothing unset. Unset and set to the dtype it would follow cost the same but compare unequal
 * (two specs, two types as template arguments). Compare a resolved dtype (experts_dtype), not
 * the choice, with a dtype: that comparison does not compile.
 */
struct dtype_choice {
    bool set = false;
    dtype value = dtype::bf16;
    constexpr dtype_choice() = default;
    constexpr dtype_choice(dtype t) : set(true), value(t) {} // NOLINT: implicit by design
    friend constexpr bool operator==(const dtype_choice&, const dtype_choice&) = default;
    friend constexpr bool operator==(const dtype_choice&, dtype) = delete;
};

/// Whether t holds weights only (the block-scaled 4-bit formats).
constexpr bool weight_only(dtype t) {
    return t == dtype::mxfp4 || t == dtype::nvfp4 || t == dtype::int4;
}

/**
 * Storage precision. fp8 weights with bf16 activations is `{.weights = dtype::fp8}`.
 * `experts` stores the routed experts' matrices in another dtype than the other weights
 * (gpt-oss: `{.experts = dtype::mxfp4}`, bf16 elsewhere); `embeddings` the token embedding
 * (with learned positions) and the LM head, and the MTP modules' copies of them (AWQ, GPTQ and
 * ModelOpt keep them at 16 bits). Unset, each follows `weights`. `attention` is the dtype the
 * attention core multiplies in (FP8 attention kernels: fp8, with an fp8 cache); unset, it
 * follows `activations`.
 */
struct precision_spec {
    dtype weights = dtype::bf16;
    dtype kv = dtype::bf16;
    dtype activations = dtype::bf16;
    dtype_choice experts{};
    dtype_choice embeddings{};
    dtype_choice attention{};
    friend constexpr bool operator==(const precision_spec&, const precision_spec&) = default;
};

/// The dtype of the routed experts' matrices.
constexpr dtype experts_dtype(const precision_spec& p) {
    return p.experts.set ? p.experts.value : p.weights;
}

/// The dtype of the embedding and LM head tables.
constexpr dtype embeddings_dtype(const precision_spec& p) {
    return p.embeddings.set ? p.embeddings.value : p.weights;
}

/// The dtype the attention core (scores and their product with the values) multiplies in.
constexpr dtype attention_dtype(const precision_spec& p) {
    return p.attention.set ? p.attention.value : p.activations;
}

/// A transformer language model. vocab 0 means no embedding and no LM head.
struct model_spec {
    detail::fixed_string<40> name{};
    int layers = 0;
    int hidden = 0;
    int vocab = 0;
    bool tied_embeddings = false;
    int learned_positions = 0; ///< rows of a learned position table (GPT-2); 0 for RoPE
    norm_kind norm = norm_kind::rms;
    attention_spec attention{};
    ffn_spec ffn{};
    moe_spec moe{};
    precision_spec precision{};
    int mtp_layers =
        0; ///< multi-token-prediction modules (DeepSeek-V3 §2.2): counted apart, run in training
    friend constexpr bool operator==(const model_spec&, const model_spec&) = default;
};

// ---- derived shape facts -------------------------------------------------------------

constexpr int kv_heads_of(const model_spec& m) {
    return m.attention.kv_heads > 0 ? m.attention.kv_heads : m.attention.heads;
}
constexpr int head_dim_of(const model_spec& m) {
    if (m.attention.head_dim > 0)
        return m.attention.head_dim;
    return m.attention.heads > 0 ? m.hidden / m.attention.heads : 0;
}
/**
 * The same model with head_dim and kv_heads written out (hidden / heads, heads), so that
 * head_dim_of and kv_heads_of read them instead of dividing: the evaluation path works on
 * this copy, which every count treats exactly as the original.
 */
constexpr model_spec with_resolved_heads(const model_spec& m) {
    model_spec r = m;
    if (r.attention.kind != attention_kind::mla) {
        r.attention.head_dim = head_dim_of(m);
        r.attention.kv_heads = kv_heads_of(m);
    }
    return r;
}
constexpr bool is_mla(const model_spec& m) {
    return m.attention.kind == attention_kind::mla;
}
constexpr bool is_moe(const model_spec& m) {
    return m.moe.experts > 0;
}

constexpr bool is_moe_layer(const model_spec& m, int i) {
    const auto& e = m.moe;
    if (e.experts <= 0 || i < e.first_dense)
        return false;
    if (e.every > 0 && i % e.every != e.phase)
        return false;
    if (i < 256 && ((e.dense_mask[static_cast<std::size_t>(i / 64)] >> (i % 64)) & 1u))
        return false;
    return true;
}
namespace detail {
/// How many i in [begin, end) have i % every == phase (0 <= begin, every > 0).
constexpr int count_congruent(int begin, int end, int every, int phase) {
    if (end <= begin || phase < 0 || phase >= every)
        return 0;
    if (every == 1) // the common case, without a division
        return end - begin;
    const auto below = [&](int x) { return x > phase ? (x - 1 - phase) / every + 1 : 0; };
    return below(end) - below(begin);
}
} // namespace detail

/**
 * MoE layers among layers [begin, end), 0 <= begin: `is_moe_layer` counted in closed form
 * (arithmetic on first_dense, every and phase, then the set bits of dense_mask): as cheap
 * for 61 layers as for 4.
 */
constexpr int moe_layers_in(const model_spec& m, int begin, int end) {
    const auto& e = m.moe;
    const int lo = begin > e.first_dense ? begin : e.first_dense;
    if (e.experts <= 0 || lo >= end)
        return 0;
    int n = e.every > 0 ? detail::count_congruent(lo, end, e.every, e.phase) : end - lo;
    std::uint64_t any = 0; // most models have no explicit dense layers: one test for all words
    for (const std::uint64_t word : e.dense_mask)
        any |= word;
    for (std::size_t w = 0; any != 0 && w < e.dense_mask.size(); ++w)
        for (std::uint64_t bits = e.dense_mask[w]; bits != 0; bits &= bits - 1) {
            const int i = static_cast<int>(w) * 64 + std::countr_zero(bits);
            if (i >= lo && i < end && (e.every <= 0 || i % e.every == e.phase))
                --n;
        }
    return n;
}
constexpr int moe_layers(const model_spec& m) {
    return moe_layers_in(m, 0, m.layers);
}
constexpr int dense_layers(const model_spec& m) {
    return m.layers - moe_layers(m);
}

constexpr bool is_sliding_layer(const model_spec& m, int i) {
    const auto& s = m.attention.sliding;
    return s.window > 0 && s.every > 0 && i % s.every == s.offset;
}
/// The keys a sliding-window layer sees at most: its window, or no bound without one.
constexpr double window_keys(const model_spec& m) {
    return m.attention.sliding.window > 0 ? m.attention.sliding.window : 1e300;
}
/**
 * The layer whose kind (MoE or dense, sliding or full attention) an MTP module's transformer
 * block takes: the model's last. DeepSeek-V3 §2.2 (its MTP block is an MoE layer, like its
 * last) and dense models with MTP (a dense block).
 */
constexpr int mtp_block_layer(const model_spec& m) {
    return m.layers - 1;
}
/// Sliding-window layers among layers [begin, end), 0 <= begin: `is_sliding_layer` in closed form.
constexpr int sliding_layers_in(const model_spec& m, int begin, int end) {
    const auto& s = m.attention.sliding;
    return s.window > 0 && s.every > 0 ? detail::count_congruent(begin, end, s.every, s.offset) : 0;
}
constexpr int sliding_layers(const model_spec& m) {
    return sliding_layers_in(m, 0, m.layers);
}
/// Keys a query at 1-based position `n` attends to in layer i (window-capped).
constexpr double keys_attended(const model_spec& m, int i, double n) {
    if (is_sliding_layer(m, i) && n > m.attention.sliding.window)
        return m.attention.sliding.window;
    return n;
}

/// Sets bit `layer` (0 to 255) of an MoE dense mask (for Qwen-MoE's mlp_only_layers);
/// returns false, changing nothing, for a layer outside the mask.
constexpr bool set_dense_layer(moe_spec& e, int layer) {
    if (layer < 0 || layer >= 256)
        return false;
    e.dense_mask[static_cast<std::size_t>(layer / 64)] |= std::uint64_t{1} << (layer % 64);
    return true;
}

// ---- validation ------------------------------------------------------------------------

/// Adds the rules m breaks to `out` (the list `validate` returns).
constexpr void validate_into(violations& out, const model_spec& m) {
    const auto& a = m.attention;
    if (m.layers <= 0)
        out.add(rule::positive, "layers", m.layers);
    if (m.layers > 256)
        out.add(rule::at_most, "layers", m.layers, 256);
    if (m.hidden <= 0)
        out.add(rule::positive, "hidden", m.hidden);
    if (m.vocab < 0)
        out.add(rule::non_negative, "vocab", m.vocab);
    if (m.learned_positions < 0)
        out.add(rule::non_negative, "learned_positions", m.learned_positions);
    if (a.heads <= 0)
        out.add(rule::positive, "attention.heads", a.heads);
    if (a.kind == attention_kind::gqa) {
        if (a.kv_heads < 0)
            out.add(rule::non_negative, "attention.kv_heads", a.kv_heads);
        if (a.heads > 0 && a.kv_heads > 0 && a.heads % a.kv_heads != 0)
            out.add(rule::divides, "attention.heads / attention.kv_heads", a.kv_heads, a.heads);
        if (a.head_dim < 0)
            out.add(rule::non_negative, "attention.head_dim", a.head_dim);
        if (a.head_dim == 0 && a.heads > 0 && m.hidden > 0 && m.hidden % a.heads != 0)
            out.add(rule::divides, "hidden / attention.heads (set attention.head_dim)", a.heads,
                    m.hidden);
    } else {
        if (a.q_lora_rank < 0)
            out.add(rule::non_negative, "attention.q_lora_rank", a.q_lora_rank);
        if (a.kv_lora_rank <= 0)
            out.add(rule::positive, "attention.kv_lora_rank", a.kv_lora_rank);
        if (a.qk_nope_head_dim <= 0)
            out.add(rule::positive, "attention.qk_nope_head_dim", a.qk_nope_head_dim);
        if (a.qk_rope_head_dim <= 0)
            out.add(rule::positive, "attention.qk_rope_head_dim", a.qk_rope_head_dim);
        if (a.v_head_dim <= 0)
            out.add(rule::positive, "attention.v_head_dim", a.v_head_dim);
    }
    if (a.sliding.window < 0)
        out.add(rule::non_negative, "attention.sliding.window", a.sliding.window);
    if (a.sliding.window > 0 && a.sliding.every <= 0)
        out.add(rule::positive, "attention.sliding.every", a.sliding.every);
    if (a.sliding.window > 0 && a.sliding.every > 0 &&
        (a.sliding.offset < 0 || a.sliding.offset >= a.sliding.every))
        out.add(rule::at_most, "attention.sliding.offset (< every)", a.sliding.offset,
                a.sliding.every - 1);
    if (dense_layers(m) > 0 && m.ffn.hidden <= 0)
        out.add(rule::positive, "ffn.hidden", m.ffn.hidden);
    const auto& e = m.moe;
    if (e.experts < 0)
        out.add(rule::non_negative, "moe.experts", e.experts);
    if (e.experts > 0) {
        if (e.top_k <= 0)
            out.add(rule::positive, "moe.top_k", e.top_k);
        if (e.top_k > e.experts)
            out.add(rule::at_most, "moe.top_k", e.top_k, e.experts);
        if (e.expert_hidden <= 0)
            out.add(rule::positive, "moe.expert_hidden", e.expert_hidden);
        if (e.every <= 0)
            out.add(rule::positive, "moe.every", e.every);
        if (e.every > 0 && (e.phase < 0 || e.phase >= e.every))
            out.add(rule::at_most, "moe.phase (< every)", e.phase, e.every - 1);
        if (e.first_dense < 0)
            out.add(rule::non_negative, "moe.first_dense", e.first_dense);
        if (e.first_dense > m.layers)
            out.add(rule::at_most, "moe.first_dense", e.first_dense, m.layers);
        if (e.groups <= 0)
            out.add(rule::positive, "moe.groups", e.groups);
        else if (e.experts % e.groups != 0)
            out.add(rule::divides, "moe.groups", e.groups, e.experts);
        if (e.group_top_k < 0)
            out.add(rule::non_negative, "moe.group_top_k", e.group_top_k);
        else if (e.groups > 0 && e.group_top_k > e.groups)
            out.add(rule::at_most, "moe.group_top_k", e.group_top_k, e.groups);
        else if (e.groups > 0 && e.group_top_k > 0 &&
                 e.group_top_k * (e.experts / e.groups) < e.top_k)
            out.add(rule::at_least, "moe.group_top_k·experts/groups (experts a token may pick)",
                    e.group_top_k * (e.experts / e.groups), e.top_k);
    }
    if (e.shared_experts < 0)
        out.add(rule::non_negative, "moe.shared_experts", e.shared_experts);
    if (e.shared_experts > 0 && e.shared_hidden <= 0)
        out.add(rule::positive, "moe.shared_hidden", e.shared_hidden);
    if (m.mtp_layers < 0)
        out.add(rule::non_negative, "mtp_layers", m.mtp_layers);
    // the value is the bits per element, the rule's message shows it
    if (weight_only(m.precision.kv))
        out.add(rule::weight_format, "precision.kv", 8.0 * bytes_of(m.precision.kv));
    if (weight_only(m.precision.activations))
        out.add(rule::weight_format, "precision.activations",
                8.0 * bytes_of(m.precision.activations));
    if (m.precision.attention.set && weight_only(m.precision.attention.value)) // else reported
        out.add(rule::weight_format, "precision.attention",
                8.0 * bytes_of(m.precision.attention.value));
}

/// Every rule a model must satisfy, with the field that breaks it.
constexpr violations validate(const model_spec& m) {
    violations out;
    validate_into(out, m);
    return out;
}

// ---- type face -------------------------------------------------------------------------

/// A model as a type: anything with a `static constexpr model_spec spec`.
template <class T>
concept ModelType = requires {
    { T::spec } -> std::convertible_to<const model_spec&>;
};

/**
 * A model spec lifted to a type, checked when instantiated: a bad spec fails to compile
 * with a `moecost:` message that names the field.
 */
namespace detail {
/// The checks of `model<M>`, each reported through `diagnose` with its numbers labelled.
enum class model_check : std::uint8_t {
    layers_positive,
    hidden_positive,
    heads_positive,
    heads_vs_kv_heads,
    top_k_vs_experts,
    top_k_positive,
    expert_hidden_positive,
    invalid_spec,
};
namespace model_offending {
// clang-format off
template <long long N> struct layers {};
template <long long N> struct hidden {};
template <long long N> struct heads {};
template <long long N> struct kv_heads {};
template <long long N> struct top_k {};
template <long long N> struct experts {};
template <long long N> struct expert_hidden {};
// clang-format on
} // namespace model_offending

/// As `diagnose` (detail/diagnostics.hpp), for the model type's checks. A template of its own:
/// clang 14 takes `diagnose` specialisations on values of two enum types that compare equal
/// as numbers for ambiguous.
template <model_check Id, bool Ok, class... Numbers>
struct diagnose_model;

template <bool Ok, class... Numbers>
struct diagnose_model<model_check::layers_positive, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.layers must be > 0");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::hidden_positive, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.hidden must be > 0");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::heads_positive, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.attention.heads must be > 0");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::heads_vs_kv_heads, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.attention.heads must be a multiple of attention.kv_heads "
                      "(each KV head serves a whole group of query heads); pick kv_heads "
                      "dividing heads");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::top_k_vs_experts, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.moe.top_k exceeds moe.experts: a token cannot pick more "
                      "distinct experts than exist; lower top_k or raise experts");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::top_k_positive, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.moe.top_k must be > 0");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::expert_hidden_positive, Ok, Numbers...> {
    static_assert(Ok, "moecost: model.moe.expert_hidden must be > 0");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose_model<model_check::invalid_spec, Ok, Numbers...> {
    static_assert(Ok, "moecost: model spec is invalid: call moecost::validate(spec) to list the "
                      "fields at fault");
    static constexpr bool passed = true;
};
} // namespace detail

/**
 * A model spec lifted to a type, checked when instantiated: a bad spec fails to compile
 * with a `moecost:` message that names the field; the instantiation note beside it names the
 * check and its numbers (`diagnose_model<model_check::heads_vs_kv_heads, false, heads<32>,
 * kv_heads<6>>`), never the spec itself.
 */
template <model_spec M>
struct model {
    static constexpr model_spec spec = M;

    // clang-format off
    static_assert(detail::diagnose_model<detail::model_check::layers_positive, (M.layers > 0),
                                   detail::model_offending::layers<M.layers>>::passed);
    static_assert(detail::diagnose_model<detail::model_check::hidden_positive, (M.hidden > 0),
                                   detail::model_offending::hidden<M.hidden>>::passed);
    static_assert(detail::diagnose_model<detail::model_check::heads_positive, (M.attention.heads > 0),
                                   detail::model_offending::heads<M.attention.heads>>::passed);
    static_assert(detail::diagnose_model<detail::model_check::heads_vs_kv_heads,
                                   (M.attention.kind != attention_kind::gqa ||
                                    M.attention.kv_heads <= 0 ||
                                    M.attention.heads % (M.attention.kv_heads > 0
                                                             ? M.attention.kv_heads : 1) == 0),
                                   detail::model_offending::heads<M.attention.heads>,
                                   detail::model_offending::kv_heads<M.attention.kv_heads>>::passed);
    static_assert(detail::diagnose_model<detail::model_check::top_k_vs_experts,
                                   (M.moe.experts == 0 || M.moe.top_k <= M.moe.experts),
                                   detail::model_offending::top_k<M.moe.top_k>,
                                   detail::model_offending::experts<M.moe.experts>>::passed);
    static_assert(detail::diagnose_model<detail::model_check::top_k_positive,
                                   (M.moe.experts == 0 || M.moe.top_k > 0),
                                   detail::model_offending::top_k<M.moe.top_k>>::passed);
    static_assert(detail::diagnose_model<detail::model_check::expert_hidden_positive,
                                   (M.moe.experts == 0 || M.moe.expert_hidden > 0),
                                   detail::model_offending::expert_hidden<M.moe.expert_hidden>>::
                      passed);
    static_assert(detail::diagnose_model<detail::model_check::invalid_spec, validate(M).ok()>::passed);
    // clang-format on
};

} // namespace moecost
