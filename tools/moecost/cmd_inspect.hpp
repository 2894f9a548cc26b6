#pragma once
// `moecost inspect`: a model's dimensions, parameters by component (total and active), KV
// bytes per token and FLOPs per token (decode at a context, prefill mean over a prompt).

#include "command.hpp"
#include "format.hpp"
#include "json_out.hpp"
#include "model.hpp"
#include "output.hpp"
#include "values.hpp"
#include "violation_out.hpp"

namespace moecost::cli {

namespace inspect_cmd {

struct options {
    model_options model;
    int context = 4096;
    int prompt = 4096;
    bool json = false;
};

/// A parameter component: its name in JSON and text, and where it lives in param_breakdown.
struct param_component {
    const char* key;
    const char* label;
    double param_breakdown::*field;
};
inline constexpr std::array<param_component, 9> param_components{{
    {"embedding", "embedding", &param_breakdown::embedding},
    {"attention", "attention", &param_breakdown::attention},
    {"router", "router", &param_breakdown::router},
    {"routed_experts", "routed experts", &param_breakdown::routed_experts},
    {"shared_experts", "shared experts", &param_breakdown::shared_experts},
    {"dense_ffn", "dense FFN", &param_breakdown::dense_ffn},
    {"norms", "norms", &param_breakdown::norms},
    {"lm_head", "LM head", &param_breakdown::lm_head},
    {"mtp", "MTP modules", &param_breakdown::mtp},
}};

/// A FLOP component of flop_breakdown.
struct flop_component {
    const char* key;
    const char* label;
    flops flop_breakdown::*field;
};
inline constexpr std::array<flop_component, 8> flop_components{{
    {"attention_proj", "attention projections", &flop_breakdown::attention_proj},
    {"attention_core", "attention core", &flop_breakdown::attention_core},
    {"router", "router", &flop_breakdown::router},
    {"routed_experts", "routed experts", &flop_breakdown::routed_experts},
    {"shared_experts", "shared experts", &flop_breakdown::shared_experts},
    {"dense_ffn", "dense FFN", &flop_breakdown::dense_ffn},
    {"lm_head", "LM head", &flop_breakdown::lm_head},
    {"other", "non-matmul (estimated)", &flop_breakdown::other},
}};

inline const char* attention_name(const model_spec& m) {
    if (is_mla(m))
        return "MLA";
    const int k = kv_heads_of(m);
    if (k == m.attention.heads)
        return "MHA";
    return k == 1 ? "MQA" : "GQA";
}

/// Everything inspect reports, computed once for both outputs.
struct facts {
    param_breakdown total, active;
    bytes weights;
    bytes_per_token kv_per_token, kv_per_token_per_layer;
    bytes kv_one_sequence;  ///< one sequence at the context
    flop_breakdown decode;  ///< one token at the context
    flop_breakdown prefill; ///< mean per prompt token
};

inline facts compute(const model_spec& m, const options& o) {
    facts f;
    f.total = total_params(m);
    f.active = active_params(m);
    f.weights = weight_bytes(m);
    f.kv_per_token = kv_bytes_per_token(m);
    f.kv_per_token_per_layer = kv_bytes_per_token_per_layer(m);
    f.kv_one_sequence = kv_cache_bytes(m, o.context);
    f.decode = decode_flops(m, o.context);
    f.prefill = (1.0 / o.prompt) * prefill_flops(m, o.prompt);
    return f;
}

inline json flops_json(const flop_breakdown& b) {
    json j = json::object();
    for (const auto& c : flop_components)
        j[c.key] = (b.*c.field).value();
    j["matmul"] = b.matmul().value();
    j["total"] = b.total().value();
    return j;
}

inline json to_json(const loaded_model& lm, const options& o, const facts& f) {
    const model_spec& m = lm.spec;
    const auto& a = m.attention;
    json j;
    j["name"] = std::string(m.name.view());
    j["source"] = lm.source;
    if (!lm.family.empty())
        j["family"] = lm.family;
    j["notes"] = lm.notes;
    json d;
    d["layers"] = m.layers;
    d["moe_layers"] = moe_layers(m);
    d["dense_layers"] = dense_layers(m);
    d["hidden"] = m.hidden;
    d["vocab"] = m.vocab;
    d["tied_embeddings"] = m.tied_embeddings;
    d["attention"] = {{"kind", attention_name(m)}, {"heads", a.heads}};
    if (is_mla(m)) {
        d["attention"]["q_lora_rank"] = a.q_lora_rank;
        d["attention"]["kv_lora_rank"] = a.kv_lora_rank;
        d["attention"]["qk_nope_head_dim"] = a.qk_nope_head_dim;
        d["attention"]["qk_rope_head_dim"] = a.qk_rope_head_dim;
        d["attention"]["v_head_dim"] = a.v_head_dim;
    } else {
        d["attention"]["kv_heads"] = kv_heads_of(m);
        d["attention"]["head_dim"] = head_dim_of(m);
    }
    d["attention"]["sliding_window"] = a.sliding.window;
    d["attention"]["sliding_layers"] = sliding_layers(m);
    d["ffn"] = {{"hidden", m.ffn.hidden}, {"gated", m.ffn.gated}};
    d["moe"] = {{"experts", m.moe.experts},
                {"top_k", m.moe.top_k},
                {"expert_hidden", m.moe.expert_hidden},
                {"shared_experts", m.moe.shared_experts},
                {"shared_hidden", m.moe.shared_hidden},
                {"first_dense", m.moe.first_dense},
                {"groups", m.moe.groups},
                {"group_top_k", m.moe.group_top_k}};
    d["mtp_layers"] = m.mtp_layers;
    j["dimensions"] = d;
    j["precision"] = precision_json(m);
    json p;
    p["total"] = count_json(f.total.total());
    p["active"] = count_json(f.active.total());
    p["embedding"] = count_json(f.total.embedding);
    p["active_without_embedding"] = count_json(f.active.total() - f.active.embedding);
    p["active_without_embedding_and_head"] =
        count_json(f.active.total() - f.active.embedding - f.active.lm_head);
    p["total_without_embedding_and_head"] =
        count_json(f.total.total() - f.total.embedding - f.total.lm_head);
    json by = json::object();
    for (const auto& c : param_components)
        by[c.key] = {{"total", count_json(f.total.*c.field)},
                     {"active", count_json(f.active.*c.field)}};
    p["by_component"] = by;
    j["params"] = p;
    j["weight_bytes"] = f.weights.value();
    j["kv_cache_bytes_per_token"] = f.kv_per_token.value();
    j["kv_cache_bytes_per_token_per_layer"] = f.kv_per_token_per_layer.value();
    j["context"] = o.context;
    j["prompt"] = o.prompt;
    j["kv_cache_bytes_per_sequence"] = f.kv_one_sequence.value();
    j["flops_per_token"] = {{"decode", f.decode.total().value()},
                            {"prefill_avg", f.prefill.total().value()},
                            {"decode_by_component", flops_json(f.decode)},
                            {"prefill_avg_by_component", flops_json(f.prefill)}};
    return j;
}

inline void print_text(const loaded_model& lm, const options& o, const facts& f) {
    const model_spec& m = lm.spec;
    const auto& a = m.attention;
    const auto& e = m.moe;
    emit("moecost inspect: {} ({}{})\n", m.name.view(), lm.source,
         lm.family.empty() ? "" : ", read as " + lm.family);
    for (const auto& n : lm.notes)
        emit("  note: {}\n", n);

    heading("Dimensions");
    auto dim = [](std::string_view what, const std::string& value) {
        emit("  {:<28} {}\n", what, value);
    };
    dim("layers", fmt::format("{} ({} MoE, {} dense)", m.layers, moe_layers(m), dense_layers(m)));
    dim("hidden", fmt::format("{}", m.hidden));
    dim("vocabulary", m.vocab > 0
                          ? fmt::format("{}{}", m.vocab, m.tied_embeddings ? " (tied head)" : "")
                          : std::string("none (no embedding, no LM head)"));
    if (is_mla(m)) {
        dim("attention", fmt::format("MLA, {} heads", a.heads));
        dim("  q / kv LoRA rank", fmt::format("{} / {}", a.q_lora_rank, a.kv_lora_rank));
        dim("  qk nope / rope / v dim",
            fmt::format("{} / {} / {}", a.qk_nope_head_dim, a.qk_rope_head_dim, a.v_head_dim));
    } else {
        dim("attention", fmt::format("{}, {} heads, {} KV heads, head dim {}", attention_name(m),
                                     a.heads, kv_heads_of(m), head_dim_of(m)));
    }
    if (a.sliding.window > 0)
        dim("  sliding window", fmt::format("{} tokens on {} of {} layers", a.sliding.window,
                                            sliding_layers(m), m.layers));
    if (dense_layers(m) > 0)
        dim("dense FFN",
            fmt::format("hidden {}, {}", m.ffn.hidden, m.ffn.gated ? "gated" : "plain"));
    if (is_moe(m)) {
        dim("experts", fmt::format("{} routed, top-{}, expert hidden {}", e.experts, e.top_k,
                                   e.expert_hidden));
        if (e.shared_experts > 0)
            dim("  shared experts",
                fmt::format("{} of hidden {}", e.shared_experts, e.shared_hidden));
        if (e.first_dense > 0)
            dim("  first dense layers", fmt::format("{}", e.first_dense));
        if (e.group_top_k > 0)
            dim("  routed within", fmt::format("{} of {} expert groups", e.group_top_k, e.groups));
    }
    if (m.mtp_layers > 0)
        dim("MTP modules", fmt::format("{}", m.mtp_layers));
    dim("precision", model_precision_text(m));

    heading("Parameters");
    emit("  {:<28} {:>12} {:>12}\n", "component", "total", "active");
    for (const auto& c : param_components) {
        const double t = f.total.*c.field, ac = f.active.*c.field;
        if (t == 0 && ac == 0)
            continue;
        emit("  {:<28} {:>12} {:>12}\n", c.label, count(t), count(ac));
    }
    emit("  {:<28} {:>12} {:>12}\n", "total", count(f.total.total()), count(f.active.total()));
    emit("  {:<28} {:>12} {:>12}\n", "total without embedding",
         count(f.total.total() - f.total.embedding), count(f.active.total() - f.active.embedding));
    emit("  {:<28} {:>12} {:>12}\n", "... and without LM head",
         count(f.total.total() - f.total.embedding - f.total.lm_head),
         count(f.active.total() - f.active.embedding - f.active.lm_head));
    emit("  active: what one token's forward pass reads (routed experts at top_k); DeepSeek and\n"
         "  OpenAI quote it without the input embedding, Mistral with it, Qwen's non-embedding\n"
         "  and GLM-4.5-Air's counts without both.\n");
    emit("  weights at {}: {} ({})\n", weight_dtypes_text(m), pretty(f.weights),
         pretty_binary(f.weights));

    heading("KV cache");
    emit("  {:<28} {}\n", "per token, all layers", pretty(f.kv_per_token));
    emit("  {:<28} {}\n", "per token per layer", pretty(f.kv_per_token_per_layer));
    emit("  {:<28} {}\n", fmt::format("one sequence of {} tokens", o.context),
         pretty(f.kv_one_sequence));
    if (sliding_layers(m) > 0)
        emit("  (sliding-window layers hold at most {} tokens and are not in the per-token rate)\n",
             a.sliding.window);

    heading("FLOPs per token (forward)");
    const std::string dec = fmt::format("decode @ {}", o.context);
    const std::string pre = fmt::format("prefill mean / {}", o.prompt);
    emit("  {:<28} {:>18} {:>22}\n", "component", dec, pre);
    for (const auto& c : flop_components) {
        const flops d = f.decode.*c.field, p = f.prefill.*c.field;
        if (d.value() == 0 && p.value() == 0)
            continue;
        emit("  {:<28} {:>18} {:>22}\n", c.label, pretty(d), pretty(p));
    }
    emit("  {:<28} {:>18} {:>22}\n", "matmul", pretty(f.decode.matmul()),
         pretty(f.prefill.matmul()));
    emit("  {:<28} {:>18} {:>22}\n", "total", pretty(f.decode.total()), pretty(f.prefill.total()));
    emit("  2 x active parameters: {} (the weights-only rule of thumb)\n",
         pretty(make<flops>(2.0 * f.active.total())));
    emit("  decode's LM head runs for every token; prefill's once per prompt (its last token).\n");
}

} // namespace inspect_cmd

inline command add_inspect(CLI::App& app) {
    auto o = std::make_shared<inspect_cmd::options>();
    CLI::App* sub = app.add_subcommand(
        "inspect", "Describe a model: dimensions, parameters by component (total and active), KV "
                   "bytes per token, FLOPs per token for decode and prefill");
    add_model_options(*sub, o->model);
    sub->add_option("--context", o->context,
                    "Context length for decode FLOPs and one sequence's KV cache, in tokens")
        ->type_name("N")
        ->check(positive_integer())
        ->capture_default_str();
    sub->add_option("--prompt", o->prompt,
                    "Prompt length whose mean prefill FLOPs per token are shown")
        ->type_name("N")
        ->check(positive_integer())
        ->capture_default_str();
    sub->add_flag("--json", o->json, "Print JSON (numbers in base units: parameters, FLOP, bytes)");
    sub->footer(
        "Parameters count every weight a token's forward pass reads as active (embedding and LM\n"
        "head included, routed experts scaled to top_k). FLOPs: 2 per multiply-add; decode "
        "attends\n"
        "to --context keys, prefill is the exact causal mean over --prompt tokens.\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost inspect --preset deepseek-v3 --context 32768\n"
        "  moecost inspect --model tests/data/hf/mixtral-8x7b-v0.1.json --json");
    return {sub, [o] {
                const loaded_model lm = resolve_model(o->model);
                const auto v = validate(lm.spec);
                if (!v.ok())
                    throw run_error(lm.source + ": the model is invalid: " + describe(*v.begin()));
                const auto f = inspect_cmd::compute(lm.spec, *o);
                if (o->json)
                    out_json(inspect_cmd::to_json(lm, *o, f));
                else
                    inspect_cmd::print_text(lm, *o, f);
                return exit_ok;
            }};
}

} // namespace moecost::cli
