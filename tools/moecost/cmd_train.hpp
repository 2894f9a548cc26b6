#pragma once
// `moecost train`: one training deployment (model × cluster × layout × training iteration)
// through moecost::evaluate_training: memory per GPU (weights, gradients, optimizer states
// under ZeRO, activations of the micro-batches in flight), step time (pipeline and bubble,
// gradient reduction, optimizer step), tokens/s per GPU, MFU and HFU, violations.
// With a GPU budget (--gpus or --max-gpus) it searches the training layouts instead, through
// moecost::search_training (train_search_out.hpp prints what it finds).

#include "output.hpp"
#include "search_progress.hpp"
#include "train_scenario.hpp"
#include "train_search_out.hpp"

#include <chrono>

namespace moecost::cli {

namespace train_cmd {

// ---- JSON ------------------------------------------------------------------------------

/// The transformer layers of each pipeline stage (null when pp exceeds the layers).
inline json layers_per_stage_json(const scenario& s) {
    const engine::pipeline_split p = pipeline_split_of(s.l, s.t);
    if (s.l.pp > s.model.spec.layers)
        return json();
    json out = json::array();
    for (int i = 0; i < s.l.pp; ++i)
        out.push_back(engine::stage_of(s.model.spec, p, i).layers);
    return out;
}

inline json to_json(const scenario& s, const training_report& r) {
    const bool ok = r.evaluated;
    const model_spec& m = s.model.spec;
    const training_workload& t = s.t;
    const json none;
    auto num = [&](double v) { return ok ? json(v) : none; };
    // a deployment over its memory cannot run: its memory is shown, no time or throughput
    const bool runs = ok && r.memory.fits;
    auto timed = [&](double v) { return runs ? json(v) : none; };
    json j;
    j["model"] = std::string(m.name.view());
    j["model_source"] = s.model.source;
    j["notes"] = s.model.notes;
    j["warnings"] = s.warnings;
    j["gpu"] = s.gpu_name;
    j["profile"] = std::string(s.cluster.gpu.perf.name.view()); // the calibration in use
    j["gpus_per_node"] = s.cluster.gpus_per_node;
    j["layout"] = layout_json(s.l);
    json training = training_settings_json(t);
    training["uneven_stages"] = s.l.uneven_stages;
    training["layers_per_stage"] = layers_per_stage_json(s);
    training["global_batch"] = t.global_batch;
    training["tokens_per_iteration"] = static_cast<double>(t.global_batch) * t.seq;
    training["micro_batches"] = r.micro_batches;
    training["optimizer"] = t.optimizer == optimizer_kind::adam ? "adam" : "sgd";
    training["optimizer_state"] = name_of(t.optimizer_state);
    training["master_weights"] = t.master_weights;
    training["grads"] = name_of(t.grads);
    j["training"] = training;
    j["options"] = options_json(s.opt);
    j["evaluated"] = ok;
    j["valid"] = r.valid();
    j["fits"] = ok && r.memory.fits;
    j["flops_per_iteration"] = num(r.model_flops_per_iteration.value());
    j["hardware_flops_per_iteration"] = num(r.hardware_flops_per_iteration.value());
    j["step_time_s"] = timed(r.step_time.value());
    j["pipeline_time_s"] = timed(r.pipeline_time.value());
    j["micro_batch_time_s"] = timed(r.micro_batch_time.value());
    j["grad_sync_time_s"] = timed(r.grad_sync_time.value());
    j["optimizer_time_s"] = timed(r.optimizer_time.value());
    j["bubble_fraction"] = timed(r.bubble_fraction);
    j["tokens_per_s_per_gpu"] = timed(r.tokens_per_gpu.value());
    j["mfu"] = timed(r.mfu);
    j["hfu"] = timed(r.hfu);
    j["bottleneck"] = runs ? json(name_of(r.bottleneck)) : none;
    j["memory_per_gpu_bytes"] = num(r.memory.total().value());
    j["memory"] = ok ? json{{"weights_bytes", r.memory.weights.value()},
                            {"grads_bytes", r.memory.grads.value()},
                            {"optimizer_bytes", r.memory.optimizer.value()},
                            {"activations_bytes", r.memory.activations.value()},
                            {"total_bytes", r.memory.total().value()},
                            {"usable_bytes", r.memory.usable.value()},
                            {"stage", r.memory.stage},
                            {"micro_batches_in_flight", in_flight(s, r)}}
                     : none;
    j["violations_dropped"] = r.problems.dropped;
    j["violations"] = violations_json(r.problems);
    return j;
}

// ---- text ------------------------------------------------------------------------------

inline void print_text(const scenario& s, const training_report& r) {
    const bool ok = r.evaluated;
    const model_spec& m = s.model.spec;
    const cluster_spec& c = s.cluster;
    const layout& l = s.l;
    const training_workload& t = s.t;
    emit("moecost train: {} on {}{}\n", m.name.view(), s.gpu_name,
         r.ideal ? " (ideal bounds)" : "");
    auto line = [](std::string_view what, const std::string& text) {
        emit("  {:<10} {}\n", what, text);
    };
    line("model", s.model.source);
    for (const auto& n : s.model.notes)
        line("", "note: " + n);
    for (const auto& w : s.warnings)
        line("", "warning: " + w);
    line("GPU", gpu_text(c, r.ideal));
    line("network", network_text(c));
    line("layout", fmt::format("{} | {} GPU{} ({})", layout_text(l), world_size(l),
                               world_size(l) == 1 ? "" : "s", s.layout_source));
    line("batch",
         fmt::format("global {} sequences of {} tokens ({} tokens per iteration); micro-batch {} "
                     "-> {} micro-batch{} per DP rank",
                     t.global_batch, t.seq, count(double(t.global_batch) * t.seq), t.micro_batch,
                     r.micro_batches, r.micro_batches == 1 ? "" : "es"));
    line("pipeline", pipeline_text(m, l, t));
    line("state", state_text(t));
    line("schedule", schedule_text(t, s.opt));
    line("modelling", modelling_text(s.opt));

    heading("Violations");
    if (r.problems.ok())
        emit("  none: every module divides evenly and the deployment fits\n");
    for (const auto& v : violation_lines(r.problems))
        emit("  - {}\n", v);
    if (!ok) {
        emit("\nNot evaluated: {}.\n",
             micro_batches_of(t, l) <= 0
                 ? fmt::format("the global batch ({}) holds no whole micro-batch ({}) per "
                               "DP rank ({})",
                               t.global_batch, t.micro_batch, l.dp)
                 : std::string("a spec or the layout breaks a rule the evaluation needs"));
        return;
    }

    heading(fmt::format("Memory per GPU (stage {}, the most loaded)", r.memory.stage));
    text_table mem;
    mem.align = "l";
    mem.add({"weights (bf16)", pretty(r.memory.weights)});
    mem.add({fmt::format("gradients ({})", name_of(t.grads)), pretty(r.memory.grads)});
    mem.add({"optimizer states (master, m, v)", pretty(r.memory.optimizer)});
    mem.add({fmt::format("activations ({:.3g} micro-batch{} in flight)", in_flight(s, r),
                         in_flight(s, r) == 1 ? "" : "es"),
             pretty(r.memory.activations)});
    mem.add({"total", pretty(r.memory.total())});
    mem.print();
    emit("  {} usable ({} x {:g}): {}\n", pretty(r.memory.usable), pretty(c.gpu.hbm.get()),
         s.opt.memory_headroom, r.memory.fits ? "fits" : "DOES NOT FIT");
    if (!r.memory.fits) {
        emit("\nStep time and throughput not evaluated: the deployment does not fit in memory, so "
             "it cannot run.\n");
        return;
    }

    heading("Step time");
    text_table st;
    st.align = "l";
    st.add({"micro-batch, forward + backward (slowest stage)", pretty(r.micro_batch_time)});
    st.add({fmt::format("pipeline: {} micro-batch{} through {} stage{}", r.micro_batches,
                        r.micro_batches == 1 ? "" : "es", l.pp, l.pp == 1 ? "" : "s"),
            pretty(r.pipeline_time)});
    st.add({"  of which bubble", percent(r.bubble_fraction)});
    st.add({"gradient reduction (exposed)", pretty(r.grad_sync_time)});
    st.add({"optimizer step", pretty(r.optimizer_time)});
    st.add({"step", pretty(r.step_time)});
    st.add({"bottleneck", name_of(r.bottleneck)});
    st.print();

    heading("Throughput");
    text_table th;
    th.align = "l";
    th.add({"tokens/s per GPU", pretty(r.tokens_per_gpu)});
    th.add({"model FLOPs per iteration", pretty(r.model_flops_per_iteration)});
    th.add({"hardware FLOPs per iteration", pretty(r.hardware_flops_per_iteration)});
    th.add({"MFU", percent(r.mfu)});
    th.add({"HFU (with recomputation)", percent(r.hfu)});
    th.print();
    emit("  model FLOPs: forward + backward (3 passes), causal attention, logits for every "
         "token;\n  MFU and HFU against the {} peak of every GPU.\n",
         t.fp8_gemm && c.gpu.peak_fp8.value > 0 ? "fp8" : "bf16");
}

} // namespace train_cmd

inline command add_train(CLI::App& app) {
    using namespace train_cmd;
    auto o = std::make_shared<options>();
    CLI::App* sub = app.add_subcommand(
        "train", "Evaluate one training deployment: memory per GPU (weights, gradients, "
                 "optimizer states, activations), step time, tokens/s per GPU, MFU and HFU; "
                 "or, with --gpus or --max-gpus, search the training layouts");
    // Training fixes the precisions (bf16 weights and activations, fp8 GEMMs with --fp8).
    add_model_options(*sub, o->model, /*precision=*/false);
    add_cluster_options(*sub, o->cluster);
    add_layout_options(*sub, o->layout);

    const std::string tr = "Training iteration";
    sub->add_option("--global-batch", o->global_batch,
                    fmt::format("Sequences per iteration (required; a multiple of --micro-batch "
                                "x dp); a search takes a comma-separated list of at most {}",
                                max_batches))
        ->type_name("N[,N...]")
        ->check(integer_list(max_batches, 1, max_count))
        ->group(tr);
    sub->add_option("--micro-batch", o->micro_batch, "Sequences per micro-batch per DP rank")
        ->type_name("N")
        ->check(positive_integer())
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--seq", o->seq, "Sequence length in tokens")
        ->type_name("S")
        ->check(positive_integer())
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--recompute", o->recompute,
                    "Activation recomputation: none, selective (attention core) or full "
                    "(every layer's forward)")
        ->type_name("MODE")
        ->check(one_of(recompute_names(), "recompute mode"))
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--recompute-layers", o->recompute_layers,
                    "With --recompute full: recompute only the first N layers of each model "
                    "chunk, the others keeping their activations (Megatron-LM's "
                    "--recompute-method block); 0 recomputes every layer")
        ->type_name("N")
        ->check(integer_in(0, max_count))
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--zero", o->zero,
                    "ZeRO stage over DP (dense) and EDP (experts): 1 shards optimizer states, "
                    "2 also gradients, 3 also weights")
        ->type_name("0|1|2|3")
        ->check(integer_in(0, 3))
        ->capture_default_str()
        ->group(tr);
    sub->add_option("--virtual-stages", o->virtual_stages,
                    "Model chunks per GPU: > 1 is interleaved 1F1B (layers divide into pp x N)")
        ->type_name("N")
        ->check(integer_in(1, max_degree))
        ->capture_default_str()
        ->group(tr);
    sub->add_flag("--uneven-stages", o->uneven_stages,
                  "Let the layers (with --virtual-stages, the chunks) not divide evenly: the "
                  "first stages (chunks) take one layer more")
        ->group(tr);
    sub->add_flag("--embedding-in-pipeline-split", o->embedding_in_split,
                  "Count the embedding as a layer when dividing the layers among the (virtual) "
                  "stages (Megatron-LM's --account-for-embedding-in-pipeline-split)")
        ->group(tr);
    sub->add_flag("--loss-in-pipeline-split", o->loss_in_split,
                  "Count the loss as a layer there (--account-for-loss-in-pipeline-split)")
        ->group(tr);
    sub->add_flag("--sequence-parallel", o->sequence_parallel,
                  "Megatron sequence parallelism: norm and dropout activations split over TP")
        ->group(tr);
    sub->add_flag("--fp8", o->fp8, "Matmuls at the fp8 rate (MFU against the fp8 peak)")->group(tr);
    sub->add_flag("--overlap-grad-reduce", o->overlap_grad_reduce,
                  "Reduce gradients during the backward passes")
        ->group(tr);
    sub->add_flag("--no-flash", o->no_flash,
                  "No flash attention: store the s^2 attention scores (and their softmax)")
        ->group(tr);
    sub->add_flag("--dropout", o->dropout, "Store dropout masks (GPT-3-era models)")->group(tr);
    add_modelling_options(*sub, o->modelling);

    // The layout search: the options only a search takes are refused without a budget.
    const std::string sg = "Layout search (--gpus or --max-gpus: search the layouts instead of "
                           "evaluating --layout)";
    const auto space = add_search_space_options(*sub, o->space, sg);
    const auto ranking = add_ranking_options(
        *sub, o->objective, choice_names(objectives),
        "Rank by: tokens (tokens/s per GPU) or mfu, highest first; step (step time), shortest "
        "first; gpus, fewest first",
        o->top, sg);
    auto* mem = add_max_memory_option(*sub, o->max_mem_gb, sg);
    const std::array<CLI::Option*, 5> search_only{space[0], space[1], ranking[0], ranking[1], mem};

    sub->add_flag("--json", o->json,
                  "Print JSON (numbers in base units: FLOP, s, token/s, bytes; null when not "
                  "evaluated; a search's elapsed_s is its own wall time)");
    sub->footer(
        "Memory is per GPU of the most loaded pipeline stage: bf16 weights, fp32 gradient\n"
        "buffers, Adam's fp32 master weights and m, v, sharded by --zero; activations of the\n"
        "micro-batches 1F1B keeps in flight. A layout that does not divide is listed under\n"
        "violations (exit status 0).\n"
        "With --gpus or --max-gpus (not with --layout), every TP*CP*DP*PP and ETP*EP*EDP*PP\n"
        "factorisation of each world size that passes the division and node rules is evaluated\n"
        "for each global batch; those that fit in memory (and --max-mem-gb) are ranked by\n"
        "--objective. With none fitting, the nearest misses are listed with how far memory is "
        "over.\n" +
        std::string(exit_status_text) +
        "\nExamples:\n"
        "  moecost train --model path/to/gpt2/config.json --gpu a100-sxm-80gb --global-batch 512 "
        "--seq 1024\n"
        "  moecost train --preset llama-3-8b --gpu h100-sxm --layout tp=2,dp=4 --global-batch "
        "256 --micro-batch 2 --seq 8192 --recompute selective --zero 1 --sequence-parallel\n"
        "  moecost train --preset llama-3-8b --gpu h100-sxm --max-gpus 16 --global-batch 64,256 "
        "--seq 4096 --recompute selective --zero 1 --objective mfu");
    return {sub, [o, search_only] {
                if (!o->space.given())
                    for (const CLI::Option* opt : search_only)
                        if (opt->count() > 0)
                            throw usage_error(opt->get_name() +
                                              ": applies to a layout search (give --gpus or "
                                              "--max-gpus)");
                const scenario s = resolve(*o);
                if (s.searching) {
                    const auto start = std::chrono::steady_clock::now();
                    search_space counted = s.space;
                    counted.pad_experts = false; // as search_training enumerates
                    const long total = count_layouts(s.model.spec, s.cluster, counted);
                    const search_result r =
                        search_with_progress<search_result>(total, [&s](auto&& progress) {
                            return search_training<std::size_t(max_top)>(
                                s.model.spec, s.cluster, s.space, s.t, s.obj.value, s.opt,
                                s.max_memory, progress);
                        });
                    const double elapsed = seconds_since(start);
                    if (o->json)
                        out_json(search_json(s, r, elapsed));
                    else
                        print_search_text(s, r, elapsed);
                    return exit_ok;
                }
                const training_report r =
                    evaluate_training(s.model.spec, s.cluster, s.l, s.t, s.opt);
                if (o->json)
                    out_json(to_json(s, r));
                else
                    print_text(s, r);
                return exit_ok;
            }};
}

} // namespace moecost::cli
