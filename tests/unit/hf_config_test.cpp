// Hugging Face config.json loading: real configs against presets and published totals, each
// family's particulars, and every error path.

#include <moecost/count/params.hpp>
#include <moecost/io/hf_config.hpp>
#include <moecost/presets/models.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace {

using moecost::model_spec;
using moecost::io::hf_load_result;
using moecost::io::hf_options;
using moecost::io::load_error;
using nlohmann::json;

std::string fixture(std::string_view name) {
    return std::string(MOECOST_TEST_DATA_DIR) + "/hf/" + std::string(name);
}

hf_load_result load(std::string_view name, hf_options options = {}) {
    return moecost::io::load_hf_config_detailed(fixture(name), options);
}

model_spec renamed(model_spec m, std::string_view name) {
    m.name = name;
    return m;
}

bool has_note(const hf_load_result& r, std::string_view needle) {
    for (const auto& n : r.notes)
        if (n.find(needle) != std::string::npos)
            return true;
    return false;
}

/// A small valid Llama config to vary.
json llama_base() {
    return json{{"model_type", "llama"},    {"hidden_size", 256},       {"intermediate_size", 512},
                {"num_attention_heads", 8}, {"num_hidden_layers", 4},   {"num_key_value_heads", 2},
                {"vocab_size", 1000},       {"torch_dtype", "bfloat16"}};
}

json moe_base(std::string_view type) {
    json j = llama_base();
    j["model_type"] = type;
    j["num_experts"] = 8;
    j["num_local_experts"] = 8;
    j["n_routed_experts"] = 8;
    j["num_experts_per_tok"] = 2;
    j["moe_intermediate_size"] = 128;
    return j;
}

hf_load_result parse(const json& j, hf_options options = {}) {
    return moecost::io::parse_hf_config_detailed(j.dump(), "cfg.json", options);
}

/// The message of the load_error that parsing throws ("" when it does not throw).
std::string error_of_text(std::string_view text) {
    try {
        (void)moecost::io::parse_hf_config(text, "cfg.json");
    } catch (const load_error& e) {
        return e.what();
    }
    return "";
}
std::string error_of(const json& j) {
    return error_of_text(j.dump());
}

std::string file_error_of(std::string_view name) {
    try {
        (void)moecost::io::load_hf_config(fixture(name));
    } catch (const load_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

// ---- real configs ------------------------------------------------------------------------

TEST_CASE("hf_config: real configs load to their presets", "[io][hf_config]") {
    namespace p = moecost::presets;
    struct row {
        const char* file;
        const model_spec* preset;
    };
    const row rows[] = {
        {"mixtral-8x7b-v0.1.json", &p::mixtral_8x7b},    {"deepseek-v3.json", &p::deepseek_v3},
        {"deepseek-v2-lite.json", &p::deepseek_v2_lite}, {"qwen3-30b-a3b.json", &p::qwen3_30b_a3b},
        {"olmoe-1b-7b-0924.json", &p::olmoe_1b_7b},      {"meta-llama-3-8b.json", &p::llama_3_8b},
        {"glm-4.5-air.json", &p::glm_4_5_air},
    };
    for (const auto& r : rows) {
        INFO(r.file);
        const auto loaded = load(r.file).spec;
        CHECK(renamed(loaded, r.preset->name) == *r.preset);
        // Field by field too, so that a mismatch says where.
        CHECK(loaded.layers == r.preset->layers);
        CHECK(loaded.hidden == r.preset->hidden);
        CHECK(loaded.vocab == r.preset->vocab);
        CHECK(loaded.attention == r.preset->attention);
        CHECK(loaded.ffn == r.preset->ffn);
        CHECK(loaded.moe == r.preset->moe);
        CHECK(loaded.precision == r.preset->precision);
    }
}

TEST_CASE("hf_config: the name is _name_or_path, else model_type", "[io][hf_config]") {
    CHECK(load("mixtral-8x7b-v0.1.json").spec.name.view() == "mixtral");
    json j = llama_base();
    j["_name_or_path"] = "meta-llama/Meta-Llama-3-8B";
    CHECK(parse(j).spec.name.view() == "meta-llama/Meta-Llama-3-8B");
    j["_name_or_path"] = std::string(60, 'x');
    const auto r = parse(j);
    CHECK(r.spec.name.view() == std::string(40, 'x'));
    CHECK(has_note(r, "cut to its first 40"));
}

TEST_CASE("hf_config: DeepSeek-V3's MTP module is counted only when asked", "[io][hf_config]") {
    const auto main_only = load("deepseek-v3.json");
    CHECK(main_only.spec.mtp_layers == 0);
    CHECK(main_only.family == "deepseek_v3");
    CHECK(has_note(main_only, "num_nextn_predict_layers = 1"));
    CHECK(main_only.spec.precision.weights == moecost::dtype::fp8);
    CHECK(main_only.spec.precision.kv == moecost::dtype::bf16);
    CHECK(main_only.spec.precision.activations == moecost::dtype::bf16);

    const auto with_mtp = load("deepseek-v3.json", {.include_mtp = true}).spec;
    CHECK(renamed(with_mtp, "deepseek-v3-mtp") == moecost::presets::deepseek_v3_mtp);
}

// Published totals. moecost counts "active" with the input embedding; where the publisher
// leaves it out, the test subtracts it (noted per model).
TEST_CASE("hf_config: parameter totals match published figures", "[io][hf_config]") {
    const auto total = [](const model_spec& m) { return moecost::total_params(m).total(); };
    const auto active = [](const model_spec& m) { return moecost::active_params(m).total(); };

    SECTION("Qwen1.5-MoE-A2.7B: 14.3B total, 2.7B active") {
        // Qwen/Qwen1.5-MoE-A2.7B model card and the Qwen1.5-MoE blog post (2024-03-28):
        // "14.3B parameters in total and 2.7B activated parameters during runtime".
        const auto m = load("qwen1.5-moe-a2.7b.json").spec;
        CHECK(m.moe.shared_experts == 1);
        CHECK(m.moe.shared_hidden == 5632);
        CHECK(m.moe.shared_gate);
        CHECK(m.attention.qkv_bias);
        CHECK_FALSE(m.attention.out_bias);
        CHECK(m.attention.sliding.window == 0); // use_sliding_window: false
        CHECK(total(m) == Approx(14.3e9).epsilon(0.01));
        CHECK(active(m) == Approx(2.7e9).epsilon(0.01));
    }
    SECTION("gpt-oss-20b: 20.9B total, 3.6B active") {
        // openai/gpt-oss-20b model card ("gpt-oss-120b & gpt-oss-20b Model Card", OpenAI,
        // 2025-08-05): 20.9B total, 3.6B active; active leaves out the input embedding and
        // keeps the unembedding.
        const auto r = load("gpt-oss-20b.json");
        const auto& m = r.spec;
        CHECK(m.attention.sliding ==
              moecost::sliding_window_spec{.window = 128, .every = 2, .offset = 0});
        CHECK(m.attention.head_dim == 64);
        CHECK(m.attention.sinks);
        CHECK(m.attention.qkv_bias);
        CHECK(m.attention.out_bias);
        CHECK(m.moe.router_bias);
        CHECK(m.moe.expert_bias);
        CHECK(m.moe.top_k == 4);
        // quantization_config mxfp4: the routed experts alone, the rest at torch_dtype
        CHECK(m.precision.weights == moecost::dtype::bf16);
        CHECK(moecost::experts_dtype(m.precision) == moecost::dtype::mxfp4);
        CHECK_FALSE(has_note(r, "mxfp4"));
        CHECK(total(m) == Approx(20.9e9).epsilon(0.01));
        const auto a = moecost::active_params(m);
        CHECK(a.total() - a.embedding == Approx(3.6e9).epsilon(0.01));
        // the preset is this config
        moecost::model_spec named = m;
        named.name = "gpt-oss-20b";
        CHECK(named == moecost::presets::gpt_oss_20b);
    }
    SECTION("GLM-4.5-Air: 106B total, 12B active without embedding and head") {
        // By hand (zai-org/GLM-4.5-Air config.json; Glm4MoeAttention, DeepseekV3 layers):
        //   attention: q 4096·12288 + o 12288·4096 = 100,663,296; k, v 2·4096·1024 =
        //     8,388,608; q, k, v biases 12,288 + 2·1,024 = 14,336          → 109,066,240
        //   norms 2·4096 = 8,192 a layer
        //   layer 0, dense: 3·4096·10944 = 134,479,872          → 243,554,304 with the above
        //   layers 1–45: 128 experts · 3·4096·1408 = 2,214,592,512, shared 17,301,504, gate
        //     128·4096 + 128 score biases = 524,416             → 2,341,492,864 each
        //   embedding + head 2·151552·4096 = 1,241,513,984; final norm 4,096
        //   total 243,554,304 + 45·2,341,492,864 + 1,241,513,984 + 4,096 = 106,852,251,264
        const auto r = load("glm-4.5-air.json");
        const auto& m = r.spec;
        CHECK(r.family == "glm4_moe");
        CHECK(total(m) == 106'852'251'264.0);
        // the README's 106B and 12B leave out the embedding and the head (105.61B, 12.18B)
        const auto t = moecost::total_params(m);
        CHECK(t.total() - t.embedding - t.lm_head == Approx(106e9).margin(0.5e9));
        const auto a = moecost::active_params(m);
        CHECK(a.total() - a.embedding - a.lm_head == Approx(12e9).margin(0.5e9));
        CHECK(has_note(r, "num_nextn_predict_layers = 1"));
    }
    SECTION("gpt2: 124,439,808") {
        // GPT2LMHeadModel.from_pretrained("gpt2").num_parameters(): 124,439,808 with the
        // head tied to the embedding and 1024 learned positions.
        const auto m = load("gpt2.json").spec;
        CHECK(m.ffn == moecost::ffn_spec{.hidden = 3072, .gated = false, .bias = true});
        CHECK(m.tied_embeddings);
        CHECK(m.learned_positions == 1024);
        CHECK(m.norm == moecost::norm_kind::layer);
        CHECK(total(m) == 124'439'808.0);
    }
    SECTION("the models with presets") {
        // Mixtral: 46.7B total, 12.9B active (Mistral AI, "Mixtral of experts", 2023-12-11).
        const auto mixtral = load("mixtral-8x7b-v0.1.json").spec;
        CHECK(total(mixtral) == Approx(46.7e9).epsilon(0.01));
        CHECK(active(mixtral) == Approx(12.9e9).epsilon(0.01));
        // DeepSeek-V3 technical report: 671B total, 37B activated (main model, no MTP).
        const auto v3 = load("deepseek-v3.json").spec;
        CHECK(total(v3) == Approx(671e9).epsilon(0.01));
        CHECK(active(v3) == Approx(37e9).epsilon(0.02));
        // DeepSeek-V2 report, App. B: V2-Lite 15.7B total, 2.4B active (without the input
        // embedding). Counted: 2.451B, which DeepSeek states to one decimal as 2.4: +2.1%.
        const auto lite = load("deepseek-v2-lite.json").spec;
        CHECK(total(lite) == Approx(15.7e9).epsilon(0.01));
        const auto la = moecost::active_params(lite);
        CHECK(la.total() - la.embedding == Approx(2.4e9).epsilon(0.025));
        // Qwen3-30B-A3B model card: 30.5B total, 3.3B activated.
        const auto q3 = load("qwen3-30b-a3b.json").spec;
        CHECK(total(q3) == Approx(30.5e9).epsilon(0.01));
        CHECK(active(q3) == Approx(3.3e9).epsilon(0.02));
        // OLMoE paper (Muennighoff et al. 2024): 6.9B total, 1.3B active.
        const auto olmoe = load("olmoe-1b-7b-0924.json").spec;
        CHECK(total(olmoe) == Approx(6.9e9).epsilon(0.01));
        CHECK(active(olmoe) == Approx(1.3e9).epsilon(0.02));
        // Meta-Llama-3-8B model card: 8.03B.
        CHECK(total(load("meta-llama-3-8b.json").spec) == Approx(8.03e9).epsilon(0.01));
    }
}

// ---- families ----------------------------------------------------------------------------

TEST_CASE("hf_config: GLM-4.5's keys", "[io][hf_config]") {
    json j = moe_base("glm4_moe");
    j.erase("num_experts");
    j.erase("num_local_experts");
    j["n_shared_experts"] = 1;
    j["first_k_dense_replace"] = 1;
    j["attention_bias"] = true;
    j["use_qk_norm"] = true;
    j["head_dim"] = 64; // 8 heads of 64 ≠ hidden 256
    const auto m = parse(j).spec;
    CHECK(m.attention.head_dim == 64);
    CHECK(m.attention.qkv_bias);
    CHECK_FALSE(m.attention.out_bias); // Glm4MoeAttention: o_proj without bias
    CHECK(m.attention.qk_norm == moecost::qk_norm_kind::per_head);
    CHECK(m.moe.shared_experts == 1);
    CHECK(m.moe.shared_hidden == 128);
    CHECK(m.moe.router_bias); // e_score_correction_bias
    CHECK(m.moe.first_dense == 1);
    CHECK(m.moe.groups == 1); // Glm4MoeConfig: n_group 1, topk_group 1
    CHECK(m.moe.group_top_k == 0);
    // group-limited routing when asked; the MTP module when asked
    j["n_group"] = 4;
    j["topk_group"] = 2;
    j["num_nextn_predict_layers"] = 1;
    const auto g = parse(j, {.include_mtp = true}).spec;
    CHECK(g.moe.groups == 4);
    CHECK(g.moe.group_top_k == 2);
    CHECK(g.mtp_layers == 1);
    // GLM-4.5's layers are MoE from first_k_dense_replace on, whatever moe_layer_freq says
    json freq = j;
    freq["moe_layer_freq"] = 2;
    const auto f = parse(freq);
    CHECK(f.spec.moe.every == 1);
    CHECK(has_note(f, "moe_layer_freq = 2 is not read"));
    // the keys whose class defaults are not the obvious reading are required
    for (const char* key : {"first_k_dense_replace", "n_shared_experts", "num_key_value_heads"}) {
        INFO(key);
        json k = j;
        k.erase(key);
        CHECK(error_of(k).find(std::string("key '") + key + "'") != std::string::npos);
    }
}

TEST_CASE("hf_config: a multimodal config's language model is its text_config", "[io][hf_config]") {
    // Kimi K2.5's layout: the text model's keys under text_config, the dtype at the top.
    json text = moe_base("qwen3_moe");
    text.erase("torch_dtype");
    text["head_dim"] = 32;
    json top{{"model_type", "kimi_k25"},
             {"architectures", {"KimiK25ForConditionalGeneration"}},
             {"torch_dtype", "float16"},
             {"text_config", text}};
    const auto r = parse(top);
    CHECK(r.family == "qwen3_moe");
    CHECK(r.spec.moe.experts == 8);
    CHECK(r.spec.hidden == 256);
    CHECK(r.spec.precision.weights == moecost::dtype::fp16); // from the top level
    CHECK(has_note(r, "read from text_config"));
    // a fault inside names where it is
    top["text_config"]["num_attention_heads"] = -4;
    CHECK(error_of(top).find("cfg.json (text_config): key 'num_attention_heads'") !=
          std::string::npos);
    // the top's dtype only when the text model has neither name for it, null being none
    top["text_config"]["num_attention_heads"] = 8;
    top["text_config"]["dtype"] = "float32";
    CHECK(parse(top).spec.precision.weights == moecost::dtype::fp32);
    top["text_config"].erase("dtype");
    top["text_config"]["torch_dtype"] = nullptr;
    CHECK(parse(top).spec.precision.weights == moecost::dtype::fp16);
    // a config with its own dimensions at the top is read as it is
    json flat = llama_base();
    flat["text_config"] = text;
    CHECK(parse(flat).family == "llama");
}

TEST_CASE("hf_config: Kimi K2 is read as DeepSeek-V3", "[io][hf_config]") {
    // moonshotai/Kimi-K2's model_type is kimi_k2 over DeepSeek-V3's architecture and keys.
    std::ifstream in(fixture("deepseek-v3.json"));
    json j = json::parse(in);
    j["model_type"] = "kimi_k2";
    j.erase("architectures"); // found by model_type, not by falling back on architectures
    const auto r = parse(j);
    CHECK(r.family == "kimi_k2");
    CHECK(renamed(r.spec, "deepseek-v3") == moecost::presets::deepseek_v3);
    CHECK_FALSE(has_note(r, "not a known family"));
}

TEST_CASE("hf_config: an unknown family with DeepSeek-style experts says it reads them as dense",
          "[io][hf_config]") {
    json j = llama_base();
    j["model_type"] = "some_moe";
    j["n_routed_experts"] = 64;
    const auto r = parse(j);
    CHECK(r.spec.moe.experts == 0);
    CHECK(has_note(r, "n_routed_experts is a DeepSeek-style MoE key"));
}

TEST_CASE("hf_config: AWQ and GPTQ configs are int4 weights", "[io][hf_config][dtype]") {
    // TheBloke's AWQ checkpoints: {"quant_method": "awq", "bits": 4, "group_size": 128, ...}
    json j = moe_base("mixtral");
    j["torch_dtype"] = "float16";
    j["quantization_config"] = {{"quant_method", "awq"}, {"bits", 4},
                                {"group_size", 128},     {"version", "gemm"},
                                {"zero_point", true},    {"modules_to_not_convert", {"gate"}}};
    const auto awq = parse(j);
    CHECK(awq.spec.precision.weights == moecost::dtype::int4);
    CHECK(moecost::experts_dtype(awq.spec.precision) == moecost::dtype::int4);
    CHECK(awq.spec.precision.kv == moecost::dtype::fp16);
    CHECK(moecost::embeddings_dtype(awq.spec.precision) == moecost::dtype::fp16);
    CHECK(has_note(awq, "quant_method awq: weights in int4, the embedding and LM head at fp16"));
    CHECK(has_note(awq, "modules_to_not_convert: the modules it keeps at fp16 are counted"));
    CHECK_FALSE(has_note(awq, "group_size"));
    // bits written as a float are the same 4; GPTQModel's quantised head is noted
    j["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4.0}, {"lm_head", true}};
    const auto head = parse(j);
    CHECK(head.spec.precision.weights == moecost::dtype::int4);
    CHECK(has_note(head, "the quantised LM head counted at fp16"));
    // GPTQ at 8 bits is int8, its 16-bit activations noted; 4 bits in groups of 32 count
    // groups of 128; other widths are not modelled
    j["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 8}, {"group_size", 128}};
    const auto eight = parse(j);
    CHECK(eight.spec.precision.weights == moecost::dtype::int8);
    CHECK(moecost::embeddings_dtype(eight.spec.precision) == moecost::dtype::fp16);
    CHECK(has_note(eight, "quant_method gptq: int8 weights with 16-bit activations (W8A16)"));
    CHECK(has_note(eight, "its scales and zero points (about 0.19 bits a weight"));
    // GPTQModel's quantised head is noted at 8 bits too
    j["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 8}, {"lm_head", true}};
    CHECK(has_note(parse(j), "the quantised LM head counted at fp16"));
    j["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 3}};
    const auto three = parse(j);
    CHECK(three.spec.precision.weights == moecost::dtype::fp16);
    CHECK(has_note(three, "gptq with bits 3 is not modelled"));
    j["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 32}};
    const auto g32 = parse(j);
    CHECK(g32.spec.precision.weights == moecost::dtype::int4);
    CHECK(has_note(g32, "group_size 32"));
}

TEST_CASE("hf_config: compressed-tensors weight schemes", "[io][hf_config][dtype]") {
    // Kimi K2 Thinking's INT4 experts: 4-bit integers in groups of 32, attention and shared
    // experts ignored (kept at torch_dtype)
    json moe = moe_base("mixtral");
    moe["quantization_config"] = {
        {"quant_method", "compressed-tensors"},
        {"config_groups",
         {{"group_0",
           {{"weights",
             {{"num_bits", 4}, {"type", "int"}, {"group_size", 32}, {"symmetric", true}}},
            {"targets", {"Linear"}}}}}},
        {"ignore", {"lm_head", "re:.*self_attn.*", "re:.*shared_experts.*"}}};
    const auto k2 = parse(moe);
    CHECK(k2.spec.precision.weights == moecost::dtype::bf16);
    CHECK(moecost::experts_dtype(k2.spec.precision) == moecost::dtype::int4);
    CHECK(
        has_note(k2, "the routed experts in int4, the attention and what else it ignores at bf16"));
    CHECK(has_note(k2, "group_size 32: int4 counts one scale and zero point per 128"));
    // an FP8 checkpoint (8-bit floats, the head ignored): fp8 weights, 16-bit embedding and head
    json dense = llama_base();
    dense["quantization_config"] = {
        {"quant_method", "compressed-tensors"},
        {"config_groups",
         {{"group_0",
           {{"weights", {{"num_bits", 8}, {"type", "float"}}}, {"targets", {"Linear"}}}}}},
        {"ignore", {"lm_head"}}};
    const auto fp8 = parse(dense);
    CHECK(fp8.spec.precision.weights == moecost::dtype::fp8);
    CHECK(moecost::embeddings_dtype(fp8.spec.precision) == moecost::dtype::bf16);
    // 8-bit integers: int8 weights. With 8-bit integer inputs (neuralmagic's W8A8 checkpoints:
    // per-channel weights, dynamic per-token inputs) the product runs at the INT8 rate; without
    // them (W8A16) it is noted
    json& group = dense["quantization_config"]["config_groups"]["group_0"];
    group["weights"] = {{"num_bits", 8}, {"type", "int"}, {"strategy", "channel"}};
    group["input_activations"] = {
        {"num_bits", 8}, {"type", "int"}, {"strategy", "token"}, {"dynamic", true}};
    const auto w8a8 = parse(dense);
    CHECK(w8a8.spec.precision.weights == moecost::dtype::int8);
    CHECK(moecost::embeddings_dtype(w8a8.spec.precision) == moecost::dtype::bf16);
    CHECK(has_note(w8a8, "compressed-tensors: weights in int8, the embedding and LM head at bf16"));
    CHECK_FALSE(has_note(w8a8, "W8A16"));
    group.erase("input_activations");
    const auto w8a16 = parse(dense);
    CHECK(w8a16.spec.precision.weights == moecost::dtype::int8);
    CHECK(has_note(w8a16, "compressed-tensors: int8 weights with 16-bit activations (W8A16)"));
    // another width, or no readable scheme: noted, weights at torch_dtype
    group["weights"]["num_bits"] = 2;
    CHECK(parse(dense).spec.precision.weights == moecost::dtype::bf16);
    CHECK(has_note(parse(dense), "a weight scheme other than 8-bit floats, 8-bit integers or "
                                 "4-bit integers"));
    dense["quantization_config"]["config_groups"] = "group_0";
    CHECK(has_note(parse(dense), "a weight scheme other than 8-bit floats, 8-bit integers or "
                                 "4-bit integers"));
}

TEST_CASE("hf_config: Qwen-MoE layer plans", "[io][hf_config]") {
    json j = moe_base("qwen2_moe");
    j["num_hidden_layers"] = 8;
    j["shared_expert_intermediate_size"] = 0;
    j["decoder_sparse_step"] = 2;
    j["mlp_only_layers"] = {3};
    const auto m = parse(j).spec;
    CHECK(m.moe.every == 2);
    CHECK(m.moe.phase == 1);
    CHECK(m.moe.shared_experts == 0);
    CHECK_FALSE(m.moe.shared_gate);
    // (i + 1) % 2 == 0 and not 3: layers 1, 5, 7.
    CHECK(moecost::is_moe_layer(m, 1));
    CHECK_FALSE(moecost::is_moe_layer(m, 2));
    CHECK_FALSE(moecost::is_moe_layer(m, 3));
    CHECK(moecost::is_moe_layer(m, 5));
    CHECK(moecost::moe_layers(m) == 3);

    SECTION("Qwen3-MoE needs head_dim and has per-head QK norm") {
        json q = moe_base("qwen3_moe");
        q["head_dim"] = 64;
        const auto q3 = parse(q).spec;
        CHECK(q3.attention.qk_norm == moecost::qk_norm_kind::per_head);
        CHECK(q3.attention.head_dim == 64);
        q.erase("head_dim");
        CHECK_THAT(error_of(q), Catch::Contains("key 'head_dim': required but missing"));
    }
    SECTION("mlp_only_layers outside the model") {
        j["mlp_only_layers"] = {8};
        CHECK_THAT(error_of(j), Catch::Contains("key 'mlp_only_layers'"));
        j["mlp_only_layers"] = {300};
        CHECK_THAT(error_of(j), Catch::Contains("key 'mlp_only_layers'"));
        j["mlp_only_layers"] = "3";
        CHECK_THAT(error_of(j), Catch::Contains("key 'mlp_only_layers': expected an array"));
    }
    SECTION("shared_expert_intermediate_size is required") {
        j.erase("shared_expert_intermediate_size");
        CHECK_THAT(error_of(j), Catch::Contains("key 'shared_expert_intermediate_size': required"));
    }
}

TEST_CASE("hf_config: Qwen sliding windows", "[io][hf_config]") {
    json j = moe_base("qwen2_moe");
    j["shared_expert_intermediate_size"] = 256;
    j["sliding_window"] = 4096;
    j["use_sliding_window"] = false;
    j["max_window_layers"] = 2;
    CHECK(parse(j).spec.attention.sliding.window == 0);

    j["use_sliding_window"] = true;
    j["max_window_layers"] = 0; // every layer i >= 0
    CHECK(parse(j).spec.attention.sliding ==
          moecost::sliding_window_spec{.window = 4096, .every = 1, .offset = 0});

    j["max_window_layers"] = 3; // only layer 3 of 4: every 4, offset 3
    CHECK(parse(j).spec.attention.sliding ==
          moecost::sliding_window_spec{.window = 4096, .every = 4, .offset = 3});

    j["max_window_layers"] = 2; // layers 2 and 3: no period holds them
    const auto r = parse(j);
    CHECK(r.spec.attention.sliding.window == 0);
    CHECK(has_note(r, "do not repeat with one period"));

    j.erase("max_window_layers");
    CHECK_THAT(error_of(j), Catch::Contains("key 'max_window_layers': required"));
}

TEST_CASE("hf_config: gpt-oss layer_types", "[io][hf_config]") {
    json j = moe_base("gpt_oss");
    j["head_dim"] = 64;
    j["sliding_window"] = 128;
    j["layer_types"] = {"full_attention", "sliding_attention", "full_attention",
                        "sliding_attention"};
    auto r = parse(j);
    CHECK(r.spec.attention.sliding ==
          moecost::sliding_window_spec{.window = 128, .every = 2, .offset = 1});
    CHECK(has_note(r, "layer_types does not alternate"));

    j["layer_types"] = {"sliding_attention", "full_attention"};
    CHECK_THAT(error_of(j), Catch::Contains("key 'layer_types': lists 2 layers, but there are 4"));
    j["layer_types"] = {"sliding_attention", 1, "sliding_attention", "full_attention"};
    CHECK_THAT(error_of(j), Catch::Contains("key 'layer_types': expected strings"));

    j.erase("layer_types");
    r = parse(j);
    CHECK(r.spec.attention.sliding ==
          moecost::sliding_window_spec{.window = 128, .every = 2, .offset = 0});

    j["experts_per_token"] = 3;
    CHECK_THAT(
        error_of(j),
        Catch::Contains("key 'experts_per_token': 3 disagrees with num_experts_per_tok = 2"));
    j.erase("num_experts_per_tok");
    CHECK(parse(j).spec.moe.top_k == 3); // openai/gpt-oss's own key

    j.erase("sliding_window");
    CHECK_THAT(error_of(j), Catch::Contains("key 'sliding_window': required"));
}

TEST_CASE("hf_config: layer_types without a window", "[io][hf_config]") {
    json j = llama_base();
    j["model_type"] = "xyz";
    j["layer_types"] = {"sliding_attention", "full_attention", "sliding_attention",
                        "chunked_attention"};
    const auto r = parse(j);
    CHECK(r.spec.attention.sliding.window == 0);
    CHECK(has_note(r, "layer_types marks sliding layers but there is no sliding_window"));
    CHECK(has_note(r, "layer_types 'chunked_attention' is read as full attention"));
    CHECK(has_note(r, "no tie_word_embeddings: read as false"));
    j["sliding_window"] = 512;
    CHECK(parse(j).spec.attention.sliding ==
          moecost::sliding_window_spec{.window = 512, .every = 2, .offset = 0});
}

TEST_CASE("hf_config: Mistral-style sliding windows on every layer", "[io][hf_config]") {
    json j = moe_base("mixtral");
    j["sliding_window"] = 4096;
    CHECK(parse(j).spec.attention.sliding ==
          moecost::sliding_window_spec{.window = 4096, .every = 1, .offset = 0});
    j["sliding_window"] = nullptr;
    CHECK(parse(j).spec.attention.sliding.window == 0);
}

TEST_CASE("hf_config: DeepSeek keys", "[io][hf_config]") {
    json j = moe_base("deepseek_v2");
    j["q_lora_rank"] = nullptr;
    j["kv_lora_rank"] = 64;
    j["qk_nope_head_dim"] = 32;
    j["qk_rope_head_dim"] = 16;
    j["v_head_dim"] = 32;
    j["n_shared_experts"] = 2;
    j["first_k_dense_replace"] = 1;
    j["moe_layer_freq"] = 2;
    const auto m = parse(j).spec;
    CHECK(m.attention.kind == moecost::attention_kind::mla);
    CHECK(m.attention.q_lora_rank == 0);
    CHECK(m.attention.kv_heads == 0);
    CHECK(m.moe.shared_experts == 2);
    CHECK(m.moe.shared_hidden == 128);
    CHECK_FALSE(m.moe.router_bias);
    CHECK(m.moe.first_dense == 1);
    CHECK(m.moe.every == 2);
    CHECK(m.moe.phase == 0);
    CHECK(moecost::moe_layers(m) == 1); // layers 0..3: 0 dense-first, 2 by frequency

    j["model_type"] = "deepseek_v3";
    CHECK(parse(j).spec.moe.router_bias);

    SECTION("attention_bias on MLA: the o_proj bias, and a note") {
        j["attention_bias"] = true;
        const auto r = parse(j);
        CHECK(r.spec.attention.out_bias);
        CHECK_FALSE(r.spec.attention.qkv_bias);
        CHECK(has_note(r, "q_a/kv_a projection biases are not modelled"));
    }
    SECTION("q_lora_rank absent is not 'none'") {
        j.erase("q_lora_rank");
        CHECK_THAT(error_of(j), Catch::Contains("key 'q_lora_rank': required but missing"));
    }
    SECTION("first_k_dense_replace beyond the layers") {
        j["first_k_dense_replace"] = 5;
        CHECK_THAT(error_of(j),
                   Catch::Contains("key 'first_k_dense_replace': 5 exceeds num_hidden_layers = 4"));
    }
    SECTION("group-limited routing: n_group and topk_group, unless topk_method is greedy") {
        j["n_group"] = 2;
        j["topk_group"] = 1;
        CHECK(parse(j).spec.moe.groups == 2); // V3's default topk_method is noaux_tc
        CHECK(parse(j).spec.moe.group_top_k == 1);
        j["model_type"] = "deepseek_v2"; // V2's is greedy, which ignores the groups
        CHECK(parse(j).spec.moe.groups == 1);
        CHECK(parse(j).spec.moe.group_top_k == 0);
        j["topk_method"] = "group_limited_greedy";
        CHECK(parse(j).spec.moe.groups == 2);
        CHECK(parse(j).spec.moe.group_top_k == 1);
        j["topk_group"] = 2; // every group: no limit
        CHECK(parse(j).spec.moe.group_top_k == 0);
        j["topk_group"] = 3;
        CHECK_THAT(error_of(j), Catch::Contains("key 'topk_group': 3 exceeds n_group = 2"));
        j["n_group"] = 3;
        CHECK_THAT(error_of(j), Catch::Contains("key 'n_group': 3 does not divide"));
        j["n_group"] = 8; // groups of one expert: one group cannot hold a token's 2
        j["topk_group"] = 1;
        CHECK_THAT(error_of(j),
                   Catch::Contains("key 'topk_group': 1 groups of 1 experts (n_routed_experts / "
                                   "n_group) hold fewer than num_experts_per_tok = 2"));
        j.erase("n_group"); // DeepseekV2Config has no default for the groups
        CHECK_THAT(error_of(j), Catch::Contains("key 'n_group': required but missing"));
        j["model_type"] = "deepseek_v3"; // DeepseekV3Config's defaults: 8 groups, 4 per token
        j.erase("topk_method");
        j.erase("topk_group");
        CHECK(parse(j).spec.moe.groups == 8);
        CHECK(parse(j).spec.moe.group_top_k == 4);
    }
    SECTION("include_mtp needs num_nextn_predict_layers") {
        CHECK_THROWS_WITH(parse(j, {.include_mtp = true}),
                          Catch::Contains("key 'num_nextn_predict_layers': required"));
    }
}

TEST_CASE("hf_config: gpt2's n_inner and precision", "[io][hf_config]") {
    const auto r = load("gpt2.json");
    CHECK(has_note(r, "no torch_dtype"));
    json j = json::parse(R"({"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4,
                             "n_positions": 128, "vocab_size": 100, "n_inner": 100,
                             "tie_word_embeddings": false, "torch_dtype": "float32"})");
    const auto m = parse(j).spec;
    CHECK(m.ffn.hidden == 100);
    CHECK_FALSE(m.tied_embeddings);
    CHECK(m.precision == moecost::precision_spec{moecost::dtype::fp32, moecost::dtype::fp32,
                                                 moecost::dtype::fp32});
}

TEST_CASE("hf_config: precision", "[io][hf_config]") {
    json j = llama_base();
    j["torch_dtype"] = "float16";
    CHECK(parse(j).spec.precision.kv == moecost::dtype::fp16);
    j.erase("torch_dtype");
    j["dtype"] = "float32"; // the key's name since transformers 4.56
    CHECK(parse(j).spec.precision.weights == moecost::dtype::fp32);
    j["dtype"] = "int8";
    CHECK(has_note(parse(j), "dtype 'int8' has no moecost dtype"));
    j["dtype"] = 16;
    CHECK_THAT(error_of(j), Catch::Contains("key 'dtype': expected a string, got 16"));
    j["dtype"] = "bfloat16";
    j["quantization_config"] = {{"quant_method", "fp8"}};
    const auto p = parse(j).spec.precision;
    CHECK(p == moecost::precision_spec{.weights = moecost::dtype::fp8,
                                       .embeddings = moecost::dtype::bf16});
    j["quantization_config"] = "fp8";
    CHECK_THAT(error_of(j), Catch::Contains("key 'quantization_config': expected an object"));
    j["quantization_config"] = {{"quant_method", 8}};
    CHECK_THAT(error_of(j), Catch::Contains("key 'quantization_config.quant_method'"));
    // NVIDIA Model Optimizer: NVFP4 weights (all of a dense model's), an FP8 cache
    j["quantization_config"] = {
        {"quant_method", "modelopt"}, {"quant_algo", "NVFP4"}, {"kv_cache_quant_algo", "FP8"}};
    const auto nv = parse(j);
    CHECK(nv.spec.precision.weights == moecost::dtype::nvfp4);
    CHECK(nv.spec.precision.kv == moecost::dtype::fp8);
    CHECK(nv.spec.precision.activations == moecost::dtype::bf16);
    CHECK(moecost::embeddings_dtype(nv.spec.precision) == moecost::dtype::bf16);
    CHECK(has_note(nv, "quant_algo NVFP4: every weight counted in nvfp4 but the embedding and "
                       "LM head, at bf16"));
    j["quantization_config"]["quant_algo"] = "W4A8_AWQ";
    CHECK(has_note(parse(j), "quant_algo 'W4A8_AWQ' of modelopt is not modelled"));
    j["quantization_config"].erase("quant_algo");
    CHECK(has_note(parse(j), "quantization_config of modelopt has no quant_algo"));
    j["quantization_config"]["quant_algo"] = 4;
    CHECK_THAT(error_of(j), Catch::Contains("key 'quantization_config.quant_algo'"));
    // an MoE model's NVFP4 is its routed experts'
    json moe = moe_base("mixtral");
    moe["quantization_config"] = {{"quant_method", "modelopt"}, {"quant_algo", "NVFP4"}};
    const auto nv_moe = parse(moe).spec.precision;
    CHECK(nv_moe.weights == moecost::dtype::bf16);
    CHECK(moecost::experts_dtype(nv_moe) == moecost::dtype::nvfp4);
    CHECK(nv_moe.kv == moecost::dtype::bf16);
    // mxfp4 stores routed experts: a dense model has none, and says so
    j["quantization_config"] = {{"quant_method", "mxfp4"}};
    const auto dense = parse(j);
    CHECK(has_note(dense, "quant_method 'mxfp4' stores routed experts, and the model has none"));
    CHECK(moecost::weight_bytes(dense.spec).value() ==
          2.0 * moecost::total_params(dense.spec).total());
}

TEST_CASE("hf_config: family detection and the fallback", "[io][hf_config]") {
    SECTION("an unknown model_type says so") {
        json j = llama_base();
        j["model_type"] = "xyz";
        const auto r = parse(j);
        CHECK(r.family == "generic");
        CHECK(has_note(r,
                       "model_type 'xyz' is not a known family; read the common Llama-style keys"));
        CHECK(r.spec.name.view() == "xyz");
    }
    SECTION("the fallback reads MoE keys") {
        json j = llama_base();
        j["model_type"] = "granitemoe";
        j["num_local_experts"] = 40;
        j["num_experts_per_tok"] = 8;
        const auto m = parse(j).spec;
        CHECK(m.moe.experts == 40);
        CHECK(m.moe.expert_hidden == 512); // no moe_intermediate_size: intermediate_size
        j["moe_intermediate_size"] = 64;
        CHECK(parse(j).spec.moe.expert_hidden == 64);
    }
    SECTION("architectures when model_type is absent") {
        json j = moe_base("mixtral");
        j.erase("model_type");
        j["architectures"] = {"MixtralForCausalLM"};
        const auto r = parse(j);
        CHECK(r.family == "mixtral");
        CHECK(
            has_note(r, "no model_type; read as mixtral from architectures 'MixtralForCausalLM'"));
        CHECK(r.spec.name.view() == "mixtral");
        j["architectures"] = "MixtralForCausalLM";
        CHECK_THAT(error_of(j), Catch::Contains("key 'architectures': expected an array"));
    }
    SECTION("nothing to go by") {
        json j = llama_base();
        j.erase("model_type");
        CHECK(has_note(parse(j), "no model_type and no known architecture"));
        j["model_type"] = 3;
        CHECK_THAT(error_of(j), Catch::Contains("key 'model_type': expected a string, got 3"));
    }
    SECTION("MHA and head_dim conventions") {
        json j = llama_base();
        j.erase("num_key_value_heads");
        CHECK(parse(j).spec.attention.kv_heads == 0);
        j["num_key_value_heads"] = 8; // == heads: MHA, stored as 0 like the presets
        CHECK(parse(j).spec.attention.kv_heads == 0);
        j["head_dim"] = 32; // == 256 / 8
        CHECK(parse(j).spec.attention.head_dim == 0);
        j["head_dim"] = 64;
        CHECK(parse(j).spec.attention.head_dim == 64);
        j["attention_bias"] = true;
        j["mlp_bias"] = true;
        const auto m = parse(j).spec;
        CHECK(m.attention.qkv_bias);
        CHECK(m.attention.out_bias);
        CHECK(m.ffn.bias);
    }
    SECTION("integral floats read as integers") {
        json j = llama_base();
        j["hidden_size"] = 256.0;
        CHECK(parse(j).spec.hidden == 256);
    }
    SECTION("a model directory reads its config.json") {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("moecost_hf_config_test_" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir);
        std::filesystem::copy_file(fixture("mixtral-8x7b-v0.1.json"), dir / "config.json",
                                   std::filesystem::copy_options::overwrite_existing);
        CHECK(moecost::io::load_hf_config(dir).layers == 32);
        std::filesystem::remove_all(dir);
    }
}

// ---- errors ------------------------------------------------------------------------------

TEST_CASE("hf_config: malformed files name the file and the key", "[io][hf_config]") {
    struct row {
        const char* file;
        const char* says;
    };
    const row rows[] = {
        {"bad/truncated.json", "not valid JSON (byte "},
        {"bad/top-level-array.json", "expected a JSON object at the top level, got an array"},
        {"bad/missing-vocab-size.json", "key 'vocab_size': required but missing"},
        {"bad/string-hidden-size.json",
         "key 'hidden_size': expected a positive integer, got \"4096\""},
        {"bad/fractional-hidden-size.json",
         "key 'hidden_size': expected a positive integer, got 4096.5"},
        {"bad/negative-heads.json",
         "key 'num_attention_heads': expected a positive integer, got -4"},
        {"bad/bool-layers.json", "key 'num_hidden_layers': expected a positive integer, got true"},
        {"bad/kv-heads-not-dividing.json",
         "key 'num_key_value_heads': 5 does not divide num_attention_heads = 32"},
        {"bad/top-k-above-experts.json", "key 'num_experts_per_tok': 9 exceeds the 8 experts"},
        {"bad/too-many-layers.json",
         "key 'num_hidden_layers': 300 exceeds 256, the most layers a model_spec holds"},
        {"bad/absurd-hidden-size.json", "key 'hidden_size': 2000000000 exceeds 16777216"},
    };
    for (const auto& r : rows) {
        INFO(r.file);
        const auto message = file_error_of(r.file);
        CHECK_THAT(message, Catch::Contains(r.says));
        CHECK_THAT(message, Catch::Contains(r.file)); // names the file
        CHECK(message.find('\n') == std::string::npos);
    }
}

TEST_CASE("hf_config: error paths inline", "[io][hf_config]") {
    const auto with = [](const char* key, const json& value) {
        json j = llama_base();
        j[key] = value;
        return error_of(j);
    };
    CHECK_THAT(error_of_text(""), Catch::StartsWith("cfg.json: not valid JSON (byte "));
    CHECK_THAT(error_of_text("{\"a\": 1e999}"), Catch::StartsWith("cfg.json: not valid JSON"));
    CHECK_THAT(error_of_text("3"),
               Catch::Contains("expected a JSON object at the top level, got 3"));
    CHECK_THAT(with("hidden_size", 0),
               Catch::Contains("key 'hidden_size': expected a positive integer, got 0"));
    CHECK_THAT(with("hidden_size", nullptr),
               Catch::Contains("key 'hidden_size': expected a positive integer, got null"));
    CHECK_THAT(with("hidden_size", json::array()),
               Catch::Contains("key 'hidden_size': expected a positive integer, got an array"));
    CHECK_THAT(with("hidden_size", 1e300), Catch::Contains("key 'hidden_size': 1e+300 exceeds"));
    CHECK_THAT(with("hidden_size", 18446744073709551615ull),
               Catch::Contains("key 'hidden_size': 18446744073709551615 exceeds"));
    CHECK_THAT(with("hidden_size", -9223372036854775807ll),
               Catch::Contains("key 'hidden_size': expected a positive integer"));
    CHECK_THAT(with("hidden_size", 250),
               Catch::Contains("key 'num_attention_heads': 8 does not divide hidden_size = 250"));
    CHECK_THAT(with("vocab_size", 0), Catch::Contains("key 'vocab_size'"));
    CHECK_THAT(with("tie_word_embeddings", "yes"),
               Catch::Contains("key 'tie_word_embeddings': expected true or false, got \"yes\""));
    CHECK_THAT(with("num_key_value_heads", 16),
               Catch::Contains("key 'num_key_value_heads': 16 does not divide"));
    CHECK_THAT(with("_name_or_path", 7), Catch::Contains("key '_name_or_path': expected a string"));

    // A source name with a newline still gives one line.
    try {
        (void)moecost::io::parse_hf_config("[", "a\nb.json");
        FAIL("no error");
    } catch (const load_error& e) {
        CHECK(std::string(e.what()).find('\n') == std::string::npos);
    }

    const auto missing =
        (std::filesystem::temp_directory_path() / "moecost_no_such_config.json").string();
    CHECK_THROWS_WITH(moecost::io::load_hf_config(missing),
                      Catch::StartsWith(missing + ": cannot open for reading"));
}

TEST_CASE("hf_config: a key given twice is refused, at any depth", "[io][hf_config]") {
    // nlohmann and Python's json both keep the last of two values: one would be read silently.
    std::string top = llama_base().dump();
    top.insert(top.size() - 1, R"(,"hidden_size":512)");
    CHECK(error_of_text(top) == "cfg.json: key 'hidden_size' appears twice");
    // inside text_config, named by its path
    CHECK(error_of_text(R"({"model_type": "kimi_k25",
                            "text_config": {"model_type": "llama", "hidden_size": 256,
                                            "vocab_size": 1000, "hidden_size": 512}})") ==
          "cfg.json: key 'text_config.hidden_size' appears twice");
    CHECK(error_of_text(R"({"quantization_config": {"quant_method": "compressed-tensors",
            "config_groups": {"group_0": {"weights": {"num_bits": 4, "type": "int",
                                                      "num_bits": 8}}}}})") ==
          "cfg.json: key 'quantization_config.config_groups.group_0.weights.num_bits' appears "
          "twice");
    // inside arrays, elements counted from 0 whatever they hold
    CHECK(
        error_of_text(R"({"layer_types": ["full", [1, {"a": 1}], {"a": 1}, {"a": 1, "a": 2}]})") ==
        "cfg.json: key 'layer_types[3].a' appears twice");
    // a key with a control character still makes one line
    CHECK(error_of_text(R"({"a\nb": 1, "a\nb": 2})") == "cfg.json: key 'a\\x0ab' appears twice");
    // through a file too
    const auto file =
        std::filesystem::temp_directory_path() /
        ("moecost_hf_config_twice_" + std::to_string(std::random_device{}()) + ".json");
    {
        std::ofstream out(file);
        out << R"({"vocab_size": 1000, "vocab_size": 1000})";
    }
    CHECK_THROWS_WITH(moecost::io::load_hf_config(file),
                      file.string() + ": key 'vocab_size' appears twice");
    std::filesystem::remove(file);

    // One key in several objects, or at several depths, is no repeat.
    json j = llama_base();
    j["x"] = {{"hidden_size", 1}, {"y", {{"hidden_size", 2}}}};
    j["z"] = json::array({json{{"k", 1}}, json{{"k", 1}}});
    j["quantization_config"] = {{"quant_method", "fp8"}, {"x", {{"quant_method", 3}}}};
    const auto r = parse(j);
    CHECK(r.spec.hidden == 256);
    CHECK(r.spec.precision.weights == moecost::dtype::fp8);
}

TEST_CASE("hf_config: a text_config that is not an object says so", "[io][hf_config]") {
    const std::string said =
        "cfg.json: key 'text_config': expected an object holding the language model's keys, got ";
    json top{{"model_type", "kimi_k25"}, {"text_config", 5}};
    CHECK(error_of(top) == said + "5");
    top["text_config"] = json::array();
    CHECK(error_of(top) == said + "an array");
    top["text_config"] = "qwen3_moe";
    CHECK(error_of(top) == said + "\"qwen3_moe\"");
    // beside dimensions of the config's own too: the config is malformed either way
    json flat = llama_base();
    flat["text_config"] = 5;
    CHECK(error_of(flat) == said + "5");
    // null is unset, as for every key: the top level is read
    flat["text_config"] = nullptr;
    CHECK(parse(flat).spec.hidden == 256);
    top["text_config"] = nullptr;
    CHECK(error_of(top) == "cfg.json: key 'hidden_size': required but missing");
}

TEST_CASE("hf_config: every published fixture loads without error", "[io][hf_config]") {
    for (const auto& entry : std::filesystem::directory_iterator(fixture(""))) {
        if (entry.path().extension() != ".json")
            continue;
        INFO(entry.path().string());
        CHECK_NOTHROW(moecost::io::load_hf_config(entry.path()));
    }
}
