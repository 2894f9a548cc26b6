#pragma once
/**
 * @file
 * Forward and training FLOPs by component (docs/model.md §FLOPs).
 *
 * A product of an (m×k) and a (k×n) matrix costs 2·m·n·k FLOPs. Attention core work for a
 * query attending to n keys is 2·H·d_qk·n (scores) + 2·H·d_v·n (weighted values). A causal
 * prompt of length s sums n = 1..s exactly (with sliding windows capping n); decode at
 * context c attends to c keys (the c-1 cached ones and its own).
 *
 * The LM head is counted once per token that needs logits: in inference the last prompt
 * token and each decoded token; in training every token.
 */

#include <moecost/count/params.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/units.hpp>

namespace moecost {

/// FLOPs by component. Matmul work first; `other` is non-matmul work (softmax, norms,
/// activations, router top-k, residual adds), reported apart and estimated.
struct flop_breakdown {
    flops attention_proj{};
    flops attention_core{};
    flops router{};
    flops routed_experts{};
    flops shared_experts{};
    flops dense_ffn{};
    flops lm_head{};
    flops mtp_projection{}; ///< the MTP modules' 2h→h projections (training only: mtp_flops)
    flops other{};

    [[nodiscard]] constexpr flops matmul() const {
        return attention_proj + attention_core + router + routed_experts + shared_experts +
               dense_ffn + lm_head + mtp_projection;
    }
    [[nodiscard]] constexpr flops total() const { return matmul() + other; }

    constexpr flop_breakdown& operator+=(const flop_breakdown& o) {
        attention_proj += o.attention_proj;
        attention_core += o.attention_core;
        router += o.router;
        routed_experts += o.routed_experts;
        shared_experts += o.shared_experts;
        dense_ffn += o.dense_ffn;
        lm_head += o.lm_head;
        mtp_projection += o.mtp_projection;
        other += o.other;
        return *this;
    }
    friend constexpr flop_breakdown operator*(double k, flop_breakdown b) {
        b.attention_proj *= k;
        b.attention_core *= k;
        b.router *= k;
        b.routed_experts *= k;
        b.shared_experts *= k;
        b.dense_ffn *= k;
        b.lm_head *= k;
        b.mtp_projection *= k;
        b.other *= k;
        return b;
    }
};

/**
 * How MLA attention is computed. Naive: the latent is up-projected per token (kv_b once
 * per token) and attention runs over per-head keys of dimension nope+rope. Absorbed
 * (DeepSeek-V2 §2.1.3, used for decode): W_UK is folded into the query and W_UV applied
 * after attention, so attention runs over the cached latent (kv_lora + rope) directly.
 */
enum class mla_form : std::uint8_t { naive, absorbed };

/// Estimated non-matmul FLOPs per element (documented in docs/model.md).
namespace nonmatmul {
inline constexpr double per_norm_element = 4.0;     // square, sum, scale, multiply
inline constexpr double per_softmax_element = 5.0;  // max, subtract, exp, sum, divide
inline constexpr double per_gated_activation = 5.0; // SiLU (≈4) and the gating product
inline constexpr double per_plain_activation = 8.0; // tanh-approximated GeLU
inline constexpr double per_residual_element = 1.0;
} // namespace nonmatmul

/// Attention projections of one token in one layer.
constexpr double attn_proj_flops(const model_spec& m, mla_form form) {
    const auto& a = m.attention;
    if (a.kind != attention_kind::mla) {
        const double h = m.hidden, qd = a.heads * static_cast<double>(head_dim_of(m)),
                     kd = kv_heads_of(m) * static_cast<double>(head_dim_of(m));
        return 2.0 * (h * qd + 2.0 * h * kd + qd * h); // Q, K, V, O
    }
    const double h = m.hidden, H = a.heads, dn = a.qk_nope_head_dim, dr = a.qk_rope_head_dim,
                 dv = a.v_head_dim, r = a.kv_lora_rank;
    const double q = a.q_lora_rank > 0 ? 2.0 * (h * a.q_lora_rank + a.q_lora_rank * H * (dn + dr))
                                       : 2.0 * h * H * (dn + dr);
    const double kv_a = 2.0 * h * (r + dr);
    const double o = 2.0 * H * dv * h;
    if (form == mla_form::naive)
        return q + kv_a + 2.0 * r * H * (dn + dv) + o;
    // absorbed: q_nope·W_UK per head (dn→r), and the latent output through W_UV (r→dv)
    return q + kv_a + 2.0 * H * dn * r + 2.0 * H * r * dv + o;
}

/// Attention core FLOPs of one query over n keys in one layer.
constexpr double attn_core_flops(const model_spec& m, mla_form form, double n) {
    const auto& a = m.attention;
    const double H = a.heads;
    if (a.kind != attention_kind::mla)
        return 4.0 * H * head_dim_of(m) * n;
    if (form == mla_form::naive)
        return 2.0 * H * (a.qk_nope_head_dim + a.qk_rope_head_dim) * n + 2.0 * H * a.v_head_dim * n;
    return 2.0 * H * (a.kv_lora_rank + a.qk_rope_head_dim) * n + 2.0 * H * a.kv_lora_rank * n;
}

namespace detail {

/// Sum over query positions 1..s of the keys each attends to in layer i.
constexpr double keys_summed(const model_spec& m, int i, double s, bool causal) {
    const bool sliding = is_sliding_layer(m, i);
    const double w = m.attention.sliding.window;
    if (!causal)
        return s * (sliding && w < s ? w : s);
    if (!sliding || s <= w)
        return s * (s + 1.0) / 2.0;
    return w * (w + 1.0) / 2.0 + (s - w) * w;
}

/// Per-token work that does not depend on the context, for one layer i.
constexpr flop_breakdown layer_token_flops(const model_spec& m, int i, mla_form form) {
    flop_breakdown f;
    const double h = m.hidden;
    f.attention_proj = make<flops>(attn_proj_flops(m, form));
    double other =
        2.0 * h * nonmatmul::per_norm_element + 2.0 * h * nonmatmul::per_residual_element;
    const double act =
        m.ffn.gated ? nonmatmul::per_gated_activation : nonmatmul::per_plain_activation;
    if (is_moe_layer(m, i)) {
        const auto& e = m.moe;
        f.router = make<flops>(2.0 * h * e.experts);
        f.routed_experts = make<flops>(2.0 * e.top_k * matrices(m.ffn.gated) * h * e.expert_hidden);
        f.shared_experts =
            make<flops>(2.0 * e.shared_experts * matrices(m.ffn.gated) * h * e.shared_hidden);
        other +=
            nonmatmul::per_softmax_element * e.experts + e.experts; // router softmax + top-k scan
        other += act * (e.top_k * static_cast<double>(e.expert_hidden) +
                        e.shared_experts * static_cast<double>(e.shared_hidden));
        other += 2.0 * h * e.top_k; // weighted combine of expert outputs
    } else {
        f.dense_ffn = make<flops>(2.0 * matrices(m.ffn.gated) * h * m.ffn.hidden);
        other += act * m.ffn.hidden;
    }
    f.other = make<flops>(other);
    return f;
}

} // namespace detail

/// Options of a forward FLOP count.
struct flop_options {
    bool causal = true; ///< causal mask (prefill); false attends to the whole prompt
    mla_form mla = mla_form::naive;
    /// every layer's whole s×s score matrix, whatever the mask and window (unfused attention
    /// computes the product, then masks it); overrides `causal`
    bool whole_scores = false;
};

namespace detail {
/// The keys summed over the queries of layer i that a count with `opt` charges.
constexpr double keys_counted(const model_spec& m, int i, double s, const flop_options& opt) {
    return opt.whole_scores ? s * s : keys_summed(m, i, s, opt.causal);
}
} // namespace detail

/**
 * Forward FLOPs of one decoded token at context c (it attends to c keys, itself included),
 * by component, with its LM head. MLA defaults to the absorbed form here.
 */
constexpr flop_breakdown decode_flops(const model_spec& m, double context,
                                      mla_form form = mla_form::absorbed) {
    flop_breakdown total;
    for (int i = 0; i < m.layers; ++i) {
        total += detail::layer_token_flops(m, i, form);
        const double n = keys_attended(m, i, context);
        total.attention_core += make<flops>(attn_core_flops(m, form, n));
        total.other += make<flops>(nonmatmul::per_softmax_element * m.attention.heads * n);
    }
    total.other += make<flops>(nonmatmul::per_norm_element * m.hidden);
    if (m.vocab > 0)
        total.lm_head = make<flops>(2.0 * m.hidden * static_cast<double>(m.vocab));
    return total;
}

/**
 * Forward FLOPs of a whole prompt of length s (the exact causal sum over positions),
 * by component, with the LM head for `logit_tokens` tokens (1 in inference: the last
 * prompt token; s in training).
 */
constexpr flop_breakdown prefill_flops(const model_spec& m, double s, flop_options opt = {},
                                       double logit_tokens = 1.0) {
    flop_breakdown total;
    for (int i = 0; i < m.layers; ++i) {
        total += s * detail::layer_token_flops(m, i, opt.mla);
        const double keys = detail::keys_counted(m, i, s, opt);
        total.attention_core += make<flops>(attn_core_flops(m, opt.mla, keys));
        total.other += make<flops>(nonmatmul::per_softmax_element * m.attention.heads * keys);
    }
    total.other += make<flops>(s * nonmatmul::per_norm_element * m.hidden);
    if (m.vocab > 0)
        total.lm_head = make<flops>(2.0 * logit_tokens * m.hidden * static_cast<double>(m.vocab));
    return total;
}

/// Mean forward FLOPs per prompt token of a prefill of length s.
constexpr flops_per_token prefill_flops_per_token(const model_spec& m, double s,
                                                  flop_options opt = {}) {
    return prefill_flops(m, s, opt).total() / make<tokens>(s);
}

/**
 * Forward FLOPs of the MTP modules over a training sequence of length s (DeepSeek-V3 §2.2):
 * per module and token, one transformer block of the last layer's kind (mtp_block_layer) over
 * the causal context, the 2h→h projection of the normed hidden state and embedding, and the
 * shared output head (logits for every token). Zero without MTP modules. Inference does not
 * run them (docs/model.md §15).
 */
constexpr flop_breakdown mtp_flops(const model_spec& m, double s, flop_options opt = {}) {
    flop_breakdown module;
    if (m.mtp_layers <= 0)
        return module;
    const int i = mtp_block_layer(m);
    const double h = m.hidden;
    module = s * detail::layer_token_flops(m, i, opt.mla);
    const double keys = detail::keys_counted(m, i, s, opt);
    module.attention_core += make<flops>(attn_core_flops(m, opt.mla, keys));
    module.mtp_projection = make<flops>(s * 2.0 * (2.0 * h) * h);
    module.other += make<flops>(nonmatmul::per_softmax_element * m.attention.heads * keys +
                                s * 3.0 * nonmatmul::per_norm_element * h); // + its 3 norms
    if (m.vocab > 0)
        module.lm_head = make<flops>(2.0 * s * h * static_cast<double>(m.vocab));
    return static_cast<double>(m.mtp_layers) * module;
}

/// Activation recomputation in training (Korthikanti et al. 2022).
enum class recompute : std::uint8_t { none, selective, full };

/**
 * Training FLOPs per token for sequences of length s: forward with logits for every
 * token (and the MTP modules, mtp_flops), backward = 2× forward (input and weight gradients;
 * Megatron-LM's convention, so model FLOPs are 3 passes), plus the recomputed forward work:
 * the attention core for selective recomputation, the whole forward but the logits for full
 * recomputation (4 passes), of which a block recomputation of a share `recomputed` of the
 * layers runs that share.
 */
constexpr flops_per_token training_flops_per_token(const model_spec& m, double s, recompute rc,
                                                   flop_options opt, double recomputed = 1.0) {
    flop_breakdown fwd = prefill_flops(m, s, opt, s);
    fwd += mtp_flops(m, s, opt);
    flops total = 3.0 * fwd.matmul();
    if (rc == recompute::full)
        total += recomputed * (fwd.matmul() - fwd.lm_head);
    if (rc == recompute::selective)
        total += fwd.attention_core;
    return total / make<tokens>(s);
}
constexpr flops_per_token training_flops_per_token(const model_spec& m, double s,
                                                   recompute rc = recompute::none,
                                                   bool causal = true) {
    return training_flops_per_token(m, s, rc, flop_options{.causal = causal});
}

/**
 * Training FLOPs per token the hardware executes (HFU's numerator): training_flops_per_token
 * with the attention its kernels run. Fused (flash) attention skips the masked blocks: the
 * causal half (and a sliding window's band). Unfused attention (`flash` false: Megatron-LM
 * 2021's baddbmm, scale-mask-softmax and bmm kernels) computes every layer's whole s×s score
 * and value products, then masks them: s² keys per layer in the forward, the backward and any
 * recomputation, as Megatron-LM's Eq. 3 (Narayanan et al. 2021) counts them. `recomputed`:
 * the share of the layers a full recomputation recomputes (recomputed_share).
 */
constexpr flops_per_token executed_training_flops_per_token(const model_spec& m, double s,
                                                            recompute rc, bool flash,
                                                            double recomputed = 1.0) {
    return training_flops_per_token(m, s, rc, flop_options{.whole_scores = !flash}, recomputed);
}

/// HBM bytes of one layer's score matrices in the forward and in the backward.
struct score_traffic {
    bytes forward{}, backward{};
};

/**
 * HBM bytes unfused attention (Megatron-LM 2021: baddbmm, the fused scale-mask-softmax kernel,
 * dropout, bmm) moves for one layer's score matrices, `queries` × `keys` scores per head, all
 * heads (divide by the TP ranks that split the heads), 16-bit elements. Forward: the QKᵀ
 * product writes the scores (2 B each), the softmax kernel reads them and writes the
 * probabilities (2 + 2), dropout, where there is one, reads those and writes its output and its
 * mask (2 + 2 + 1), and the value product reads its input (2): 8 B a score, 13 with dropout.
 * Backward: the gradient of the value product's input is written (2), dropout's backward reads
 * it and the mask and writes its own (2 + 1 + 2), the softmax backward reads that and the
 * probabilities and writes the scores' gradient (2 + 2 + 2), which the query and key gradients
 * each read (2 + 2), and the value gradient reads the probabilities (2): 14 B, 19 with dropout.
 * Korthikanti et al. 2022 (Table 2) keep 5·a·s²·b bytes of these for the backward (softmax
 * output, dropout mask and output). Flash attention keeps the scores on chip: none.
 */
constexpr score_traffic unfused_score_traffic(const model_spec& m, double queries, double keys,
                                              bool dropout) {
    const double scores = m.attention.heads * queries * keys;
    return {.forward = make<bytes>((dropout ? 13.0 : 8.0) * scores),
            .backward = make<bytes>((dropout ? 19.0 : 14.0) * scores)};
}

} // namespace moecost
