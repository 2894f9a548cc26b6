// How training's pipeline divides the layers (include/moecost/time/stages.hpp, pipeline_split):
// stages of interleaved model chunks, Megatron-LM's embedding and loss counted as layers
// (--account-for-embedding-in-pipeline-split / --account-for-loss-in-pipeline-split), uneven
// splits, and the rules a split must follow (evaluate/training.hpp).
//
// Megatron-Core's rule (megatron/core/transformer/transformer_block.py, get_num_layers_to_build):
// L + 1 (embedding) + 1 (loss) slots divide into pp·v equal chunks; stage s holds chunks
// s, s + pp, s + 2pp, ...; the first chunk of the first stage builds one transformer layer fewer
// (its slot is the embedding), the last chunk of the last stage one fewer (the loss). Every
// stage shape below is worked out by hand from that rule.

#include <moecost/evaluate/training.hpp>
#include <moecost/presets/models.hpp>

#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace moecost;
using namespace moecost::literals;
using engine::pipeline_split;

namespace {

std::vector<int> layers_per_stage(const model_spec& m, const pipeline_split& p) {
    std::vector<int> out;
    for (int s = 0; s < p.pp; ++s)
        out.push_back(engine::stage_of(m, p, s).layers);
    return out;
}

/// A dense GPT of L layers, h = 64, 4 heads, V = 100 (presets::gpt).
constexpr model_spec gpt_layers(int layers) {
    return presets::gpt(64, layers, 4, 100, 16);
}

/// The round GPU of fixtures.hpp: 1 TFLOP/s, 10 TB/s, 1 GB, the ideal profile.
constexpr const cluster_spec& round_gpu = test::round_gpu;

const violation* find(const violations& vs, rule r) {
    for (const auto& v : vs)
        if (v.what == r)
            return &v;
    return nullptr;
}

} // namespace

TEST_CASE("pipeline split: the layers alone, one chunk a stage, is stage_of(m, pp, s)",
          "[stages][split]") {
    const std::array<model_spec, 3> models{test::dense4, test::tiny_seven_shapes,
                                           presets::deepseek_v3};
    for (const model_spec& m : models)
        for (int pp = 1; pp <= m.layers; ++pp)
            for (int s = 0; s < pp; ++s) {
                const stage_shape a = engine::stage_of(m, pipeline_split{.pp = pp}, s);
                const stage_shape b = stage_of(m, pp, s);
                INFO(m.name.view() << " pp " << pp << " stage " << s);
                CHECK(a.first == b.first);
                CHECK(engine::same_shape(a, b));
            }
}

TEST_CASE("pipeline split: the embedding and the loss count as layers", "[stages][split]") {
    SECTION("7 layers on pp 3: 9 slots, 3 a stage: E+2 | 3 | 2+L") {
        const model_spec m = gpt_layers(7);
        CHECK(layers_per_stage(m, {.pp = 3, .embedding = true, .loss = true}) ==
              std::vector<int>{2, 3, 2});
        // the layers first of each stage: 0, 2, 5
        CHECK(engine::stage_of(m, {.pp = 3, .embedding = true, .loss = true}, 1).first == 2);
        CHECK(engine::stage_of(m, {.pp = 3, .embedding = true, .loss = true}, 2).first == 5);
        // the embedding alone: 8 slots, uneven 3, 3, 2: E+2 | 3 | 2
        CHECK(layers_per_stage(m, {.pp = 3, .uneven = true, .embedding = true}) ==
              std::vector<int>{2, 3, 2});
        // the loss alone: 8 slots: 3 | 3 | 1+L
        CHECK(layers_per_stage(m, {.pp = 3, .uneven = true, .loss = true}) ==
              std::vector<int>{3, 3, 1});
        // neither, uneven: 3 | 2 | 2 (the first L mod pp stages take one more)
        CHECK(layers_per_stage(m, {.pp = 3, .uneven = true}) == std::vector<int>{3, 2, 2});
    }
    SECTION("interleaved: 10 layers, pp 2 × v 2, both ends: chunks E+0,1 | 2,3,4 | 5,6,7 | "
            "8,9+L") {
        // tiny_moe on 10 layers with layers 0–2 dense (first_dense = 3): stage 0 holds chunks 0
        // and 2 (layers 0, 1 and 5, 6, 7: 2 dense, 3 MoE), stage 1 chunks 1 and 3 (layers
        // 2, 3, 4 and 8, 9: 1 dense, 4 MoE)
        model_spec m = test::tiny_moe;
        m.layers = 10;
        m.moe.first_dense = 3;
        const pipeline_split p{.pp = 2, .virtual_stages = 2, .embedding = true, .loss = true};
        const stage_shape s0 = engine::stage_of(m, p, 0), s1 = engine::stage_of(m, p, 1);
        CHECK(s0.layers == 5);
        CHECK(s0.dense == 2);
        CHECK(s0.moe == 3);
        CHECK(s0.first == 0);
        CHECK(s0.embedding);
        CHECK_FALSE(s0.head);
        CHECK(s1.layers == 5);
        CHECK(s1.dense == 1);
        CHECK(s1.moe == 4);
        CHECK(s1.first == 2);
        CHECK(s1.head);
        // the chunks themselves
        CHECK(engine::chunk_layers(m, p, 0).first == 0);
        CHECK(engine::chunk_layers(m, p, 0).end == 2);
        CHECK(engine::chunk_layers(m, p, 3).first == 8);
        CHECK(engine::chunk_layers(m, p, 3).end == 10);
        // as a stage set: two shapes (the ends differ), one stage each
        const engine::stage_set ss = engine::stages_of(m, p);
        CHECK(ss.n == 2);
        CHECK(ss.split == p);
    }
    SECTION("Qwen3-235B-A22B on pp 8 × v 4 with both ends counted: 96 slots, 3 a chunk") {
        // stage 0: E+2, then 3 + 3 + 3 = 11; stages 1–6: 4 × 3 = 12; stage 7: 3 + 3 + 3 + 2+L
        const pipeline_split p{.pp = 8, .virtual_stages = 4, .embedding = true, .loss = true};
        CHECK(layers_per_stage(presets::qwen3_235b_a22b, p) ==
              std::vector<int>{11, 12, 12, 12, 12, 12, 12, 11});
    }
    SECTION("DeepSeek-V3 on pp 8 × v 4: 63 slots, uneven, E+1 | 2 | ... | 2 | L") {
        // 63 slots in 32 chunks: the first 31 take 2, the last 1 (the loss, with the MTP module
        // after it on the last stage). Stage 0: chunks 0, 8, 16, 24 = 1 + 2 + 2 + 2 = 7;
        // stages 1–6: 8; stage 7: 2 + 2 + 2 + 0 = 6.
        const pipeline_split p{
            .pp = 8, .virtual_stages = 4, .uneven = true, .embedding = true, .loss = true};
        CHECK(layers_per_stage(presets::deepseek_v3, p) ==
              std::vector<int>{7, 8, 8, 8, 8, 8, 8, 6});
        // its 3 dense layers: layer 0 in chunk 0 (stage 0), layers 1 and 2 in chunk 1 (stage 1)
        CHECK(engine::stage_of(presets::deepseek_v3, p, 0).dense == 1);
        CHECK(engine::stage_of(presets::deepseek_v3, p, 1).dense == 2);
        CHECK(engine::stage_of(presets::deepseek_v3, p, 2).dense == 0);
        CHECK(engine::stage_of(presets::deepseek_v3, p, 7).moe == 6);
    }
}

TEST_CASE("pipeline split: the rules of a training split", "[train][split][rules]") {
    const training_workload base{.global_batch = 8, .micro_batch = 1, .seq = 16};
    const cluster_spec c = round_gpu;
    SECTION("Qwen3-235B: 94 layers do not divide into 8 stages; with both ends 96 do") {
        training_workload t = base;
        t.virtual_stages = 4;
        const layout l{.pp = 8};
        const model_spec& m = presets::qwen3_235b_a22b;
        violations v;
        engine::check_training_into(v, m, c, l, t, {});
        CHECK(v.has(rule::layers_vs_pp)); // 94 % 8 (and 94 % 32)
        t.embedding_in_split = t.loss_in_split = true;
        engine::check_training_into(v, m, c, l, t, {});
        CHECK_FALSE(v.has(rule::layers_vs_pp));
        CHECK_FALSE(v.has(rule::divides));
        CHECK_FALSE(v.has(rule::at_least));
        // the embedding alone: 95 slots do not divide into 32 chunks
        t.loss_in_split = false;
        engine::check_training_into(v, m, c, l, t, {});
        REQUIRE(v.has(rule::divides));
        CHECK_FALSE(v.has(rule::layers_vs_pp));
        const violation d = *find(v, rule::divides);
        CHECK(d.value == 32);
        CHECK(d.limit == 95);
        CHECK(describe(d) ==
              "layers + embedding into pp × virtual stages chunks: 95 is not divisible by 32");
    }
    SECTION("DeepSeek-V3: 63 slots into 32 chunks only with uneven stages") {
        training_workload t = base;
        t.virtual_stages = 4;
        t.embedding_in_split = t.loss_in_split = true;
        layout l{.pp = 8};
        violations v;
        engine::check_training_into(v, presets::deepseek_v3, c, l, t, {});
        REQUIRE(v.has(rule::divides));
        CHECK(describe(*find(v, rule::divides)) == "layers + embedding + loss into pp × virtual "
                                                   "stages chunks: 63 is not divisible by 32");
        l.uneven_stages = true;
        engine::check_training_into(v, presets::deepseek_v3, c, l, t, {});
        CHECK_FALSE(v.has(rule::divides));
        CHECK_FALSE(v.has(rule::layers_vs_pp));
    }
    SECTION("uneven, a slot for every chunk: 7 layers + 1 on pp 4 × v 2 fits, on pp 4 × v 3 "
            "does not") {
        const model_spec m = gpt_layers(7);
        training_workload t = base;
        t.loss_in_split = true;
        t.virtual_stages = 2;
        const layout l{.pp = 4, .uneven_stages = true};
        violations v;
        engine::check_training_into(v, m, c, l, t, {});
        CHECK(v.ok()); // 8 slots, 8 chunks
        t.virtual_stages = 3;
        engine::check_training_into(v, m, c, l, t, {});
        REQUIRE(v.has(rule::at_least));
        CHECK(find(v, rule::at_least)->value == 8);
        CHECK(find(v, rule::at_least)->limit == 12);
        CHECK(describe(*find(v, rule::at_least)) ==
              "layers + loss, one per pp × virtual stages chunk = 8 is below 12");
    }
    SECTION("uneven stages now let interleaved chunks be uneven too") {
        // 7 layers on pp 2 × v 2: 2, 2, 2, 1 layers a chunk
        const model_spec m = gpt_layers(7);
        training_workload t = base;
        t.virtual_stages = 2;
        violations v;
        engine::check_training_into(v, m, c, layout{.pp = 2}, t, {});
        CHECK(v.has(rule::layers_vs_pp));
        engine::check_training_into(v, m, c, layout{.pp = 2, .uneven_stages = true}, t, {});
        CHECK(v.ok());
        CHECK(layers_per_stage(m, {.pp = 2, .virtual_stages = 2, .uneven = true}) ==
              std::vector<int>{4, 3});
    }
}

TEST_CASE("pipeline split: training memory follows the stages the split makes",
          "[train][split][memory]") {
    // 7 GPT layers (h = 64, a = 4, V = 100, 16 positions) on pp 3, s = 16, micro-batch 2,
    // 4 micro-batches (M ≥ p: stage s holds 3 − s in flight), scores and dropout masks stored:
    // per layer s·b·h·(34 + 5·a·s/h) = 2,048·39 = 79,872 B, the embedding's dropout mask
    // s·b·h = 2,048 B on stage 0. Parameters (train_test.cpp): 49,984 a layer, the embedding
    // and positions 7,424 on stage 0; 18 B each (bf16 weight, fp32 gradient, master, m, v).
    const model_spec m = gpt_layers(7);
    training_workload t{
        .global_batch = 8, .micro_batch = 2, .seq = 16, .flash_attention = false, .dropout = true};
    constexpr double per_layer = 79'872.0, mask = 2'048.0, params_layer = 49'984.0;
    SECTION("uneven, the layers alone: 3 | 2 | 2, stage 0 the most loaded") {
        // stage 0: 18·(3·49,984 + 7,424) = 2,832,768 + 3·(3·79,872 + 2,048) = 724,992
        const auto r = evaluate_training(m, round_gpu, layout{.pp = 3, .uneven_stages = true}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 0);
        CHECK(r.memory.activations.value() == 3.0 * (3.0 * per_layer + mask));
        CHECK(r.memory.total().value() == 2'832'768.0 + 724'992.0);
    }
    SECTION("both ends counted: 2 | 3 | 2, even, and stage 1 the most loaded") {
        // stage 0: 18·(2·49,984 + 7,424) = 1,933,056 + 3·(2·79,872 + 2,048) = 485,376
        //   = 2,418,432; stage 1: 18·3·49,984 = 2,699,136 + 2·3·79,872 = 479,232 = 3,178,368;
        // stage 2 holds 2 layers, the head and one micro-batch: less
        t.embedding_in_split = t.loss_in_split = true;
        const auto r = evaluate_training(m, round_gpu, layout{.pp = 3}, t);
        REQUIRE(r.valid());
        CHECK(r.memory.stage == 1);
        CHECK(r.memory.activations.value() == 6.0 * per_layer);
        CHECK(r.memory.weights.value() == 2.0 * 3.0 * params_layer);
        CHECK(r.memory.total().value() == 3'178'368.0);
    }
}
