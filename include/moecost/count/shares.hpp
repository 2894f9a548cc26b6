#pragma once
/**
 * @file
 * Per-GPU shares of a deployment: which layers a pipeline stage holds, the weight and
 * KV-cache bytes one GPU of it stores, and expert coverage (docs/model.md §Sharding).
 *
 * Sharding: attention projections by TP (K/V by min(TP, kv_heads): fewer KV heads than TP
 * replicate them; MLA's down-projections q_a and kv_a and its latent cache are replicated
 * on every TP rank, since each head needs the whole latent), replicated over CP and DP.
 * Dense FFN and shared experts by TP. Routed experts whole by EP (ceil(E/EP) on the busiest
 * rank) and inside an expert by ETP, replicated over EDP. Norms and router replicated.
 * Embedding on the first stage and LM head on the last, vocabulary-parallel over TP.
 */

#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/detail/math.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/options.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace moecost {

/// The layers one pipeline stage holds.
struct stage_shape {
    int first = 0;
    int layers = 0;
    int moe = 0;
    int dense = 0;
    int sliding = 0;
    bool embedding = false;
    bool head = false;
};

/// Stage s of pp (0 <= s < pp): floor(L/pp) layers each, the first L % pp stages one more.
constexpr stage_shape stage_of(const model_spec& m, int pp, int s) {
    stage_shape st;
    const int base = m.layers / pp, extra = m.layers % pp;
    st.layers = base + (s < extra ? 1 : 0);
    st.first = s * base + (s < extra ? s : extra);
    const int end = st.first + st.layers;
    st.moe = moe_layers_in(m, st.first, end);
    st.dense = st.layers > 0 ? st.layers - st.moe : 0;
    st.sliding = sliding_layers_in(m, st.first, end);
    st.embedding = s == 0;
    st.head = s == pp - 1;
    return st;
}

/// How many TP ranks the K/V heads (or MLA latent) are split over.
constexpr int kv_shards(const model_spec& m, const layout& l) {
    if (is_mla(m))
        return 1;
    const int k = kv_heads_of(m);
    return l.tp < k ? l.tp : k;
}

namespace detail {
/// attention_params_per_gpu given 1/TP and 1/kv_shards (the evaluation path divides once).
constexpr double attention_params_per_gpu(const model_spec& m, double inv_tp, double inv_shards) {
    const auto& a = m.attention;
    const double h = m.hidden;
    if (a.kind == attention_kind::mla) {
        const double replicated = (a.q_lora_rank > 0 ? h * a.q_lora_rank : 0.0) +
                                  h * (a.kv_lora_rank + a.qk_rope_head_dim);
        return replicated + (attention_params_per_layer(m) - replicated) * inv_tp;
    }
    const double kv = 2.0 * h * kv_heads_of(m) * head_dim_of(m);
    return kv * inv_shards + (attention_params_per_layer(m) - kv) * inv_tp;
}
} // namespace detail

/// Attention parameters of one layer that one TP rank holds.
constexpr double attention_params_per_gpu(const model_spec& m, const layout& l) {
    return detail::attention_params_per_gpu(m, 1.0 / l.tp, 1.0 / kv_shards(m, l));
}

/// Routed expert slots per MoE layer: the experts plus their redundant replicas.
constexpr int expert_slots(const model_spec& m, const layout& l) {
    return m.moe.experts > 0 ? m.moe.experts + l.redundant_experts : 0;
}
/// Routed experts the busiest EP rank holds.
constexpr int experts_per_gpu(const model_spec& m, const layout& l) {
    return (expert_slots(m, l) + l.ep - 1) / l.ep;
}

/// imbalance_over for model m on layout l: its EP ranks, their expert slots and its top-k.
constexpr double imbalance_over(const eval_options& o, const model_spec& m, const layout& l) {
    return imbalance_over(o, l.ep, is_moe(m) ? experts_per_gpu(m, l) : 0.0, m.moe.top_k);
}

/**
 * What one GPU of a layout holds per layer of each kind and at a stage's ends: the parts of
 * weight_params_per_gpu that do not depend on the stage, worked out once per layout.
 */
struct weight_terms {
    double attention = 0;  ///< one layer's attention (attention_params_per_gpu)
    double layer = 0;      ///< attention and norms of every layer
    double dense_ffn = 0;  ///< a dense layer's FFN / TP
    double moe = 0;        ///< an MoE layer's router, shared experts / TP and routed experts / ETP
    double routed = 0;     ///< ... of which the routed experts' matrices (precision_spec::experts)
    double embedding = 0;  ///< token (and learned position) embeddings / TP
    double head = 0;       ///< the LM head / TP
    double final_norm = 0; ///< on the last stage, with or without a head
    double mtp = 0;        ///< the MTP modules, on the last stage
    double mtp_copies = 0; ///< ... of which the checkpoint's embedding and head copies
    double mtp_routed = 0; ///< ... of which routed experts' matrices
    bool vocab = false, tied = false;
};

constexpr weight_terms weight_terms_of(const model_spec& m, const layout& l) {
    const double inv_tp = 1.0 / l.tp;
    weight_terms w{.vocab = m.vocab > 0, .tied = m.tied_embeddings};
    const double norms = norm_params_per_layer(m);
    const double shared = shared_expert_params(m) * inv_tp;
    const double held = experts_per_gpu(m, l);
    const double experts = held * expert_params(m) / etp_of(l);
    w.routed = held * expert_matrix_params(m) / etp_of(l);
    w.attention = detail::attention_params_per_gpu(m, inv_tp, 1.0 / kv_shards(m, l));
    w.layer = w.attention + norms;
    w.dense_ffn = dense_ffn_params(m) * inv_tp;
    w.moe = router_params(m) + shared + experts;
    if (m.vocab > 0) {
        const double table = static_cast<double>(m.vocab) * m.hidden;
        w.embedding = (table + m.learned_positions * static_cast<double>(m.hidden)) * inv_tp;
        w.head = table * inv_tp;
    }
    w.final_norm = norm_width(m, m.hidden);
    if (m.mtp_layers > 0) {
        // MTP modules sit after the last stage (DeepSeek-V3 §2.2): one block each, of the last
        // layer's kind and sharded like it, plus the 2h→h projection, norms and the
        // checkpoint's own embedding and head copies, vocabulary-parallel over TP.
        const bool moe_block = is_moe_layer(m, mtp_block_layer(m));
        const double block = w.layer + (moe_block ? w.moe : w.dense_ffn);
        const double h = m.hidden;
        const double copies = m.vocab > 0 ? 2.0 * static_cast<double>(m.vocab) * h * inv_tp : 0.0;
        const double rest = 2.0 * h * h * inv_tp + 3.0 * norm_width(m, h) + copies;
        w.mtp = m.mtp_layers * (block + rest);
        w.mtp_copies = m.mtp_layers * copies;
        w.mtp_routed = moe_block ? m.mtp_layers * w.routed : 0.0;
    }
    return w;
}

/// The embedding and LM head parameters one GPU of stage `st` holds.
struct vocab_tables {
    double embedding = 0, head = 0;
};
constexpr vocab_tables vocab_tables_of(const weight_terms& w, const stage_shape& st) {
    vocab_tables t;
    if (w.vocab) {
        if (st.embedding)
            t.embedding = w.embedding;
        // A tied head on a different stage from the embedding keeps its own copy (Megatron).
        if (st.head && (!w.tied || !st.embedding))
            t.head = w.head;
    }
    return t;
}

/// Weight parameters one GPU of stage `st` stores, from its layout's weight terms.
constexpr double weight_params_per_gpu(const weight_terms& w, const stage_shape& st) {
    double p = st.layers * w.layer;
    p += st.dense * w.dense_ffn;
    p += st.moe * w.moe;
    const vocab_tables t = vocab_tables_of(w, st);
    p += t.embedding;
    p += t.head;
    if (st.head)
        p += w.final_norm;
    if (st.head && w.mtp > 0)
        p += w.mtp;
    return p;
}

/// Embedding and head table parameters one GPU of stage `st` stores (part of
/// weight_params_per_gpu): the embedding, the head, the MTP modules' copies.
constexpr double table_params_per_gpu(const weight_terms& w, const stage_shape& st) {
    const vocab_tables t = vocab_tables_of(w, st);
    return t.embedding + t.head + (st.head ? w.mtp_copies : 0.0);
}

/**
 * Weight bytes one GPU of stage `st` stores: the routed experts' matrices at `expert_bytes`
 * per parameter, the embedding and head tables at `table_bytes`, the rest at `weight_bytes`
 * (bytes_of the dtypes of precision_spec).
 */
constexpr double weight_bytes_per_gpu(const weight_terms& w, const stage_shape& st,
                                      double weight_bytes, double expert_bytes,
                                      double table_bytes) {
    const double routed = st.moe * w.routed + (st.head ? w.mtp_routed : 0.0);
    double b = weight_params_per_gpu(w, st) * weight_bytes + routed * (expert_bytes - weight_bytes);
    if (table_bytes != weight_bytes)
        b += table_params_per_gpu(w, st) * (table_bytes - weight_bytes);
    return b;
}

/// Weight parameters one GPU of stage `st` stores.
constexpr double weight_params_per_gpu(const model_spec& m, const layout& l,
                                       const stage_shape& st) {
    return weight_params_per_gpu(weight_terms_of(m, l), st);
}

/// KV-cache bytes one GPU of stage `st` stores for `seqs` sequences of n tokens each.
constexpr bytes kv_bytes_per_gpu(const model_spec& m, const layout& l, const stage_shape& st,
                                 double seqs, double n) {
    const double w = m.attention.sliding.window;
    const double held = (st.layers - st.sliding) * n + st.sliding * (n < w ? n : w);
    const double per = kv_elements_per_token_per_layer(m) * bytes_of(m.precision.kv);
    return make<bytes>(seqs * held * per / kv_shards(m, l) / l.cp);
}

} // namespace moecost
