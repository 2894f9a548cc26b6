#pragma once
/**
 * @file
 * Parameter counts by component, total and active per token (docs/model.md §Parameters).
 *
 * Counts are doubles: DeepSeek-V3 has 6.7e11 parameters and the FLOPs built on them
 * overflow int64 once multiplied by tokens.
 *
 * Convention for "active": every parameter a token's forward pass reads, i.e. the total
 * minus the routed experts it does not choose (top_k of experts per MoE layer). The input
 * embedding and the LM head count, as Mistral reports (Mixtral 12.9B active). Vendors
 * differ: DeepSeek (V3 37B, V2-Lite 2.4B) and OpenAI (gpt-oss) leave out the input
 * embedding, so `embedding` is exposed and their convention is `active().total() - embedding`.
 */

#include <moecost/spec/model.hpp>
#include <moecost/units.hpp>

namespace moecost {

/// Parameters of a model by component. Norm weights of every kind are in `norms`.
struct param_breakdown {
    double embedding = 0;      ///< input token embedding (+ learned positions)
    double attention = 0;      ///< projections, biases, sinks
    double router = 0;         ///< gate matrix and its bias
    double routed_experts = 0; ///< all routed experts (or the active share)
    double shared_experts = 0; ///< shared experts and their gate
    double dense_ffn = 0;      ///< FFNs of dense layers
    double norms = 0;          ///< layer norms, final norm, MLA and QK norms
    double lm_head = 0;        ///< output projection (0 when tied to the embedding)
    double mtp = 0;            ///< multi-token-prediction modules, when the spec has them

    [[nodiscard]] constexpr double total() const {
        return embedding + attention + router + routed_experts + shared_experts + dense_ffn +
               norms + lm_head + mtp;
    }
    /// Parameters that live in transformer layers (no embedding, head or MTP).
    [[nodiscard]] constexpr double layers() const {
        return attention + router + routed_experts + shared_experts + dense_ffn + norms;
    }
};

/// Parameters of the norms over `width` features: LayerNorm has a scale and a bias, RMSNorm a
/// scale.
constexpr double norm_width(const model_spec& m, double width) {
    return m.norm == norm_kind::layer ? 2.0 * width : width;
}
/// Weight matrices of an FFN: three when gated (gate, up, down), else two.
constexpr double matrices(bool gated) {
    return gated ? 3.0 : 2.0;
}

/// Attention projection parameters of one layer (norms excluded).
constexpr double attention_params_per_layer(const model_spec& m) {
    const auto& a = m.attention;
    const double h = m.hidden, H = a.heads;
    if (a.kind == attention_kind::mla) {
        const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
        const double q =
            a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank * H * qk : h * H * qk;
        const double kv_a = h * (a.kv_lora_rank + a.qk_rope_head_dim); // latent + shared rope key
        const double kv_b = a.kv_lora_rank * H * (a.qk_nope_head_dim + a.v_head_dim);
        const double o = H * a.v_head_dim * h;
        return q + kv_a + kv_b + o + (a.out_bias ? h : 0.0) + (a.sinks ? H : 0.0);
    }
    const double d = head_dim_of(m), K = kv_heads_of(m);
    double p = h * H * d + 2.0 * h * K * d + H * d * h;
    if (a.qkv_bias)
        p += H * d + 2.0 * K * d;
    if (a.out_bias)
        p += h;
    if (a.sinks)
        p += H;
    return p;
}

/// Norm weights of one layer: two block norms plus MLA's latent norms or QK norms.
constexpr double norm_params_per_layer(const model_spec& m) {
    const auto& a = m.attention;
    double p = 2.0 * norm_width(m, m.hidden);
    if (a.kind == attention_kind::mla) {
        if (a.q_lora_rank > 0)
            p += a.q_lora_rank;
        p += a.kv_lora_rank;
    } else if (a.qk_norm == qk_norm_kind::per_head) {
        p += 2.0 * head_dim_of(m);
    } else if (a.qk_norm == qk_norm_kind::full) {
        p += (a.heads + kv_heads_of(m)) * static_cast<double>(head_dim_of(m));
    }
    return p;
}

/// One dense FFN block.
constexpr double dense_ffn_params(const model_spec& m) {
    const double h = m.hidden, f = m.ffn.hidden;
    double p = matrices(m.ffn.gated) * h * f;
    if (m.ffn.bias)
        p += (m.ffn.gated ? 2.0 * f : f) + h;
    return p;
}
/// One routed expert's matrices: what `precision_spec::experts` stores.
constexpr double expert_matrix_params(const model_spec& m) {
    return matrices(m.ffn.gated) * m.hidden * static_cast<double>(m.moe.expert_hidden);
}
/// One routed expert.
constexpr double expert_params(const model_spec& m) {
    const double h = m.hidden, f = m.moe.expert_hidden;
    double p = expert_matrix_params(m);
    if (m.moe.expert_bias)
        p += (m.ffn.gated ? 2.0 * f : f) + h;
    return p;
}
/// All shared experts of one MoE layer, with their gate.
constexpr double shared_expert_params(const model_spec& m) {
    const double h = m.hidden;
    double p = m.moe.shared_experts * matrices(m.ffn.gated) * h * m.moe.shared_hidden;
    if (m.moe.shared_gate && m.moe.shared_experts > 0)
        p += h;
    return p;
}
/// The router of one MoE layer.
constexpr double router_params(const model_spec& m) {
    return static_cast<double>(m.hidden) * m.moe.experts + (m.moe.router_bias ? m.moe.experts : 0);
}

namespace detail {
constexpr param_breakdown count_params(const model_spec& m, bool active_only) {
    param_breakdown p;
    const double h = m.hidden;
    const double L = m.layers, Lm = moe_layers(m), Ld = L - Lm;
    if (m.vocab > 0) {
        p.embedding = static_cast<double>(m.vocab) * h + m.learned_positions * h;
        p.lm_head = m.tied_embeddings ? 0.0 : static_cast<double>(m.vocab) * h;
    }
    p.attention = L * attention_params_per_layer(m);
    p.norms = L * norm_params_per_layer(m) + norm_width(m, h);
    p.dense_ffn = Ld * dense_ffn_params(m);
    p.router = Lm * router_params(m);
    const double chosen = active_only ? m.moe.top_k : m.moe.experts;
    p.routed_experts = Lm * chosen * expert_params(m);
    p.shared_experts = Lm * shared_expert_params(m);
    if (m.mtp_layers > 0) {
        // DeepSeek-V3 §2.2: each MTP module has two RMSNorms, a 2h→h projection, one
        // transformer block (of the last layer's kind: MoE in DeepSeek-V3), and in the released
        // weights its own copy of the embedding and output head.
        const double ffn =
            is_moe_layer(m, mtp_block_layer(m))
                ? router_params(m) + chosen * expert_params(m) + shared_expert_params(m)
                : dense_ffn_params(m);
        const double block = attention_params_per_layer(m) + norm_params_per_layer(m) + ffn;
        const double module = block + 2.0 * h * h + 3.0 * norm_width(m, h) +
                              (m.vocab > 0 ? 2.0 * static_cast<double>(m.vocab) * h : 0.0);
        p.mtp = m.mtp_layers * module;
    }
    return p;
}
} // namespace detail

/// Every parameter of the model, by component.
constexpr param_breakdown total_params(const model_spec& m) {
    return detail::count_params(m, false);
}

/// Parameters one token's forward pass reads: routed experts scaled to top_k.
constexpr param_breakdown active_params(const model_spec& m) {
    return detail::count_params(m, true);
}

/// Bytes of one routed expert: its matrices at the experts' dtype, its biases at the weights'.
constexpr double expert_bytes(const model_spec& m) {
    const double wb = bytes_of(m.precision.weights);
    const double matrix = expert_matrix_params(m);
    return matrix * bytes_of(experts_dtype(m.precision)) + (expert_params(m) - matrix) * wb;
}

/// Routed expert matrices in the checkpoint: every MoE layer's and the MTP modules' blocks.
constexpr double routed_matrix_params(const model_spec& m) {
    const double blocks =
        moe_layers(m) +
        (m.mtp_layers > 0 && is_moe_layer(m, mtp_block_layer(m)) ? m.mtp_layers : 0);
    return blocks * m.moe.experts * expert_matrix_params(m);
}

/// Embedding and LM head tables in the checkpoint: the token embedding (with learned
/// positions), an untied head, and the MTP modules' copies of both.
constexpr double table_params(const model_spec& m) {
    const param_breakdown p = total_params(m);
    const double copies = m.vocab > 0 ? m.mtp_layers * 2.0 * m.vocab * double(m.hidden) : 0.0;
    return p.embedding + p.lm_head + copies;
}

/// Bytes of all weights: the routed experts' matrices and the embedding and head tables at
/// their dtypes, the rest at the weights'.
constexpr bytes weight_bytes(const model_spec& m) {
    const double wb = bytes_of(m.precision.weights);
    const double routed = routed_matrix_params(m);
    double b = total_params(m).total() * wb + routed * (bytes_of(experts_dtype(m.precision)) - wb);
    if (m.precision.embeddings.set)
        b += table_params(m) * (bytes_of(embeddings_dtype(m.precision)) - wb);
    return make<bytes>(b);
}

} // namespace moecost
