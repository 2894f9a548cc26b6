#pragma once
/**
 * @file
 * KV-cache and activation bytes (docs/model.md §KV cache, §Activations).
 *
 * KV cache per token per layer: MHA/GQA store K and V, 2·kv_heads·head_dim elements;
 * MLA stores the compressed latent and the shared rope key, kv_lora_rank + qk_rope_head_dim
 * elements (DeepSeek-V2 §2.1; vLLM's MLA cache holds exactly this). Sliding-window layers
 * hold at most `window` tokens.
 *
 * Training activations follow Korthikanti et al. 2022 ("Reducing Activation Recomputation
 * in Large Transformer Models", §4), generalised from the 4h GeLU MLP to any FFN width,
 * gated FFNs, GQA/MLA widths and MoE routing (derivation in docs/model.md).
 */

#include <moecost/count/flops.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/units.hpp>

namespace moecost {

/// KV-cache elements one token adds to one full-attention layer.
constexpr double kv_elements_per_token_per_layer(const model_spec& m) {
    const auto& a = m.attention;
    if (a.kind == attention_kind::mla)
        return a.kv_lora_rank + a.qk_rope_head_dim;
    return 2.0 * kv_heads_of(m) * head_dim_of(m);
}

/// KV-cache bytes one token adds to one full-attention layer, at the model's KV dtype.
constexpr bytes_per_token kv_bytes_per_token_per_layer(const model_spec& m) {
    return make<bytes>(kv_elements_per_token_per_layer(m) * bytes_of(m.precision.kv)) /
           make<tokens>(1.0);
}

/**
 * KV-cache bytes per token summed over the full-attention layers: the growth rate of the
 * cache with sequence length (sliding-window layers stop growing at their window).
 */
constexpr bytes_per_token kv_bytes_per_token(const model_spec& m) {
    return static_cast<double>(m.layers - sliding_layers(m)) * kv_bytes_per_token_per_layer(m);
}

/// Exact KV-cache bytes of one sequence of n tokens, every layer, windows honoured.
constexpr bytes kv_cache_bytes(const model_spec& m, double n) {
    double tokens_held = 0;
    for (int i = 0; i < m.layers; ++i)
        tokens_held += keys_attended(m, i, n);
    return tokens_held * make<tokens>(1.0) * kv_bytes_per_token_per_layer(m);
}

/// The parts of inference_activation_bytes a model fixes.
struct activation_rates {
    double per_token = 0; ///< bytes live per token (residual stream and the widest intermediate)
    double vocab = 0;     ///< logits per row (fp32: 4 bytes each); 0 without a head
};

/// inference_activation_bytes per token and per logit row, for a model: worked out once.
constexpr activation_rates activation_rates_of(const model_spec& m) {
    const auto& a = m.attention;
    const double h = m.hidden;
    double attn;
    if (a.kind == attention_kind::mla)
        attn = a.heads * (2.0 * (a.qk_nope_head_dim + a.qk_rope_head_dim) + a.v_head_dim) +
               a.kv_lora_rank + a.qk_rope_head_dim;
    else
        attn = (a.heads + 2.0 * kv_heads_of(m)) * head_dim_of(m) + a.heads * head_dim_of(m);
    const double act_width = m.ffn.gated ? 3.0 : 2.0; // gate, up and their product
    double ffn = dense_layers(m) > 0 ? act_width * m.ffn.hidden : 0.0;
    if (is_moe(m)) {
        const auto& e = m.moe;
        const double moe = e.top_k * (h + act_width * e.expert_hidden) +
                           e.shared_experts * act_width * e.shared_hidden + e.experts;
        ffn = ffn > moe ? ffn : moe;
    }
    const double widest = attn > ffn ? attn : ffn;
    return {.per_token = (2.0 * h + widest) * bytes_of(m.precision.activations),
            .vocab = m.vocab > 0 ? static_cast<double>(m.vocab) : 0.0};
}

/// inference_activation_bytes from the model's activation rates.
constexpr bytes inference_activation_bytes(const activation_rates& r, double T, double logit_rows) {
    const double logits = r.vocab > 0 ? logit_rows * r.vocab * 4.0 : 0.0;
    return make<bytes>(T * r.per_token + logits);
}

/**
 * Inference working set of a forward step over T tokens: the largest set of activations
 * live at once inside one layer (the residual stream plus the widest intermediate of
 * attention, the FFN or the routed experts) plus the fp32 logits of `logit_rows` tokens.
 * Attention scores are not materialised (flash-style kernels). An estimate, documented.
 */
constexpr bytes inference_activation_bytes(const model_spec& m, double T, double logit_rows) {
    return inference_activation_bytes(activation_rates_of(m), T, logit_rows);
}

/// How a training layer's activations are kept (Korthikanti et al. 2022 §4–5).
struct activation_options {
    int tp = 1; ///< tensor-parallel degree t
    bool sequence_parallel = false;
    recompute rc = recompute::none;
    bool store_scores =
        true;            ///< softmax/dropout of a·s² kept (the paper); false for flash attention
    bool dropout = true; ///< dropout masks kept (the paper); modern LLMs often have none
    /// bytes per element of the GEMM inputs kept for the weight gradients: 2 (bf16), or 1 where
    /// the GEMMs run in fp8 and keep the fp8 copy they cast (Transformer Engine)
    double gemm_inputs = 2;
};

/**
 * Training activation bytes of transformer layer i for one micro-batch of b sequences of
 * length s, 16-bit activations. For a GPT layer with a 4h GeLU MLP, no TP and no recompute
 * this is the paper's s·b·h·(34 + 5·a·s/h).
 */
constexpr bytes training_activation_bytes_layer(const model_spec& m, int i, double s, double b,
                                                activation_options o = {}) {
    const double h = m.hidden, sbh = s * b * h, t = o.tp;
    // Full recompute keeps the layer input: 2sbh (paper §5), split by t under sequence
    // parallelism, where each GPU holds s/t of the sequence between layers (Megatron-LM).
    if (o.rc == recompute::full)
        return make<bytes>(2.0 * sbh / (o.sequence_parallel ? t : 1.0));
    const auto& a = m.attention;
    double q, k, v, ctx;
    if (a.kind == attention_kind::mla) {
        q = k = a.heads * static_cast<double>(a.qk_nope_head_dim + a.qk_rope_head_dim);
        v = ctx = a.heads * static_cast<double>(a.v_head_dim);
    } else {
        q = ctx = a.heads * static_cast<double>(head_dim_of(m));
        k = v = kv_heads_of(m) * static_cast<double>(head_dim_of(m));
    }
    const double mask = o.dropout ? 1.0 : 0.0;
    // g: bytes of a kept GEMM input. In fp8 the QKV, FFN and expert GEMMs keep the fp8 copy
    // they cast in place of the 16-bit input; the output projection keeps its fp8 copy beside
    // the 16-bit context the attention core keeps for its own backward; a MoE block's input
    // stays 16-bit for the router (a 16-bit GEMM), its shared experts adding their fp8 copy.
    const double g = o.gemm_inputs, copy = g < 2.0 ? g : 0.0;
    const bool moe = is_moe_layer(m, i);
    // Unsplit under TP without SP: both norms' inputs (4sbh), the inputs of the QKV and
    // first FFN matmuls and the two dropout masks.
    const double unsplit = 4.0 * sbh + g * sbh + (moe ? 2.0 : g) * sbh + 2.0 * mask * sbh;
    // Split by TP: Q, K, V and the context (2 bytes each), the FFN intermediates.
    double split = 2.0 * s * b * (q + k + v + ctx) + copy * s * b * ctx;
    // per f: gate and up outputs and the down projection's input (gated), or the activation's
    // input and the down projection's input (plain)
    const double per_f = (m.ffn.gated ? 4.0 : 2.0) + g;
    if (moe) {
        const auto& e = m.moe;
        split += e.top_k * s * b * (g * h + per_f * e.expert_hidden); // dispatched copies
        split += e.shared_experts * s * b * (copy * h + per_f * e.shared_hidden);
        split += 2.0 * s * b * e.experts; // router logits
    } else {
        split += per_f * s * b * m.ffn.hidden;
    }
    double scores = 0;
    if (o.store_scores && o.rc == recompute::none)
        scores = (4.0 + mask) * a.heads * s * s * b; // softmax out, dropout out, dropout mask
    if (o.sequence_parallel)
        return make<bytes>((unsplit + split + scores) / t);
    return make<bytes>(unsplit + (split + scores) / t);
}

} // namespace moecost
