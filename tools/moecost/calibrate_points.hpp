#pragma once
// `moecost calibrate`'s measurements: a file of measured points, each a deployment as
// `evaluate` or `train` takes it (model, GPU, layout, workload or training iteration,
// modelling options) with what was measured and its value, resolved through the same option
// structs and resolve functions those subcommands use; and the prediction of each.
//
//   {"points": [
//     {"name": "decode b=64", "model": "llama-3-8b", "gpu": "h100-sxm", "layout": "tp=1",
//      "workload": {"batch": 64, "prompt": 1024, "context": 1536},
//      "measured": "decode_tpot_s", "value": 0.0112},
//     {"model": "llama-3-8b", "gpu": "h100-sxm", "layout": "dp=8",
//      "training": {"global_batch": 128, "seq": 8192, "fp8": true, "zero": 3},
//      "measured": "train_tokens_per_s_per_gpu", "value": 14451}
//   ]}
//
// Each object's keys are the flags of `evaluate` (workload, options, precision) or `train`
// (training, options) with '_' for '-'.

#include "cmd_evaluate.hpp"
#include "command.hpp"
#include "train_scenario.hpp"

#include <moecost.hpp>
#include <moecost/io/profile_json.hpp>

#include <array>
#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace moecost::cli::calibrate {

// ---- what a point measures -------------------------------------------------------------

/// A figure a point may give, and where the evaluation has it.
struct measure {
    const char* key;
    bool training; ///< a `train` figure (else an `evaluate` one)
    const char* unit;
    const char* meaning;
    double (*serving)(const report&);
    double (*train)(const training_report&);
};

inline const std::array<measure, 9> measures{{
    {"ttft_s", false, "s", "time to first token of one request alone (evaluate's TTFT)",
     [](const report& r) { return r.prefill.latency.value(); }, nullptr},
    {"prefill_tokens_per_s_per_gpu", false, "token/s", "prefill tokens/s per GPU",
     [](const report& r) { return r.prefill.tokens_per_gpu.value(); }, nullptr},
    {"prefill_batch_time_s", false, "s", "time to prefill the whole batch",
     [](const report& r) { return r.prefill.batch_time.value(); }, nullptr},
    {"decode_tpot_s", false, "s", "time per output token (evaluate's TPOT)",
     [](const report& r) { return r.decode.latency.value(); }, nullptr},
    {"decode_tokens_per_s_per_gpu", false, "token/s", "decode tokens/s per GPU",
     [](const report& r) { return r.decode.tokens_per_gpu.value(); }, nullptr},
    {"decode_batch_time_s", false, "s", "time of one decode round of the batch",
     [](const report& r) { return r.decode.batch_time.value(); }, nullptr},
    {"train_step_s", true, "s", "time of one training iteration", nullptr,
     [](const training_report& r) { return r.step_time.value(); }},
    {"train_tokens_per_s_per_gpu", true, "token/s", "training tokens/s per GPU", nullptr,
     [](const training_report& r) { return r.tokens_per_gpu.value(); }},
    {"train_mfu", true, "fraction", "model FLOPs utilisation", nullptr,
     [](const training_report& r) { return r.mfu; }},
}};

inline std::vector<std::string> measure_names() {
    std::vector<std::string> out;
    for (const measure& m : measures)
        out.emplace_back(m.key);
    return out;
}

// ---- a point ---------------------------------------------------------------------------

/// A measured point: the deployment, resolved as evaluate or train resolves its options.
struct point {
    std::string label; ///< its "name", or "points[i]"
    const measure* what = nullptr;
    double value = 0;
    evaluate_cmd::scenario serving{}; ///< when !what->training
    train_cmd::scenario training{};   ///< when what->training

    [[nodiscard]] const cluster_spec& cluster() const {
        return what->training ? training.cluster : serving.cluster;
    }
    [[nodiscard]] const std::string& gpu_name() const {
        return what->training ? training.gpu_name : serving.gpu_name;
    }
};

/// What the point's deployment gives for its measure on cluster c (its own, with terms set);
/// with `ideal`, its ideal bound there.
inline double predict(const point& p, const cluster_spec& c, bool ideal = false) {
    if (p.what->training) {
        const train_cmd::scenario& s = p.training;
        eval_options o = s.opt;
        o.ideal = o.ideal || ideal;
        return p.what->train(evaluate_training(s.model.spec, c, s.l, s.t, o));
    }
    const evaluate_cmd::scenario& s = p.serving;
    eval_options o = s.opt;
    o.ideal = o.ideal || ideal;
    return p.what->serving(evaluate(s.model.spec, c, s.l, s.w, o, s.req));
}

/// Why the point's deployment cannot be evaluated, or empty.
inline std::string cannot_evaluate(const point& p) {
    const auto why = [](bool evaluated, bool fits, const violations& v) -> std::string {
        if (!evaluated || !fits)
            return v.ok() ? std::string("it cannot be evaluated") : describe(*v.begin());
        return {};
    };
    if (p.what->training) {
        const train_cmd::scenario& s = p.training;
        const training_report r = evaluate_training(s.model.spec, s.cluster, s.l, s.t, s.opt);
        return why(r.evaluated, r.memory.fits, r.problems);
    }
    const evaluate_cmd::scenario& s = p.serving;
    const report r = evaluate(s.model.spec, s.cluster, s.l, s.w, s.opt, s.req);
    return why(r.evaluated, r.memory.fits, r.problems);
}

/**
 * Why the point's value is one its deployment cannot reach, or empty: a rate above, or a time
 * below, its ideal bound (every resource at peak, everything that can overlap overlapped:
 * docs/model.md §9.5), with the links' latencies at 0, which a fit may free down to. Such a
 * figure is a unit slip or another deployment's, and fitting the profile to it would drive
 * every term to a bound.
 */
inline std::string beyond_bound(const point& p) {
    cluster_spec c = p.cluster();
    c.intra_node.latency = {};
    c.inter_node.latency = {};
    const double bound = predict(p, c, true);
    const bool time = std::string_view(p.what->unit) == "s";
    if (!(bound > 0) || !std::isfinite(bound) || (time ? p.value >= bound : p.value <= bound))
        return {}; // no bound (the ideal evaluation did not cost it) claims nothing
    return fmt::format("{} {:.4g} {} is {} than the ideal bound, {:.4g} {}: no deployment reaches "
                       "it (a unit slip, or another deployment's figure?)",
                       p.what->key, p.value, p.what->unit, time ? "shorter" : "higher", bound,
                       p.what->unit);
}

// ---- reading the file ------------------------------------------------------------------

namespace detail {

using reader = io::profile_detail::object_reader;

inline int int_key(const reader& r, std::string_view key, long long lo, int fallback) {
    return static_cast<int>(r.optional_integer(key, lo, max_count).value_or(fallback));
}

/// A dtype key of "precision": one of the names --weights (or --kv, ...) takes.
inline std::string dtype_key(const reader& r, std::string_view key,
                             const std::vector<std::string>& names) {
    const auto v = r.optional_text(key);
    if (!v)
        return {};
    for (const std::string& n : names)
        if (*v == n)
            return *v;
    r.fail(key, "unknown dtype '" + *v + "' (expected one of: " + join(names) + ")");
}

/// The model, the GPU and the layout, as model_options, cluster_options, layout_options.
inline void read_deployment(const reader& r, const std::filesystem::path& dir,
                            const std::string& start, model_options& model,
                            cluster_options& cluster, layout_options& layout) {
    const std::string name = r.text("model");
    if (presets::find_model(name) != nullptr) {
        model.preset = name;
    } else {
        const std::filesystem::path path(name);
        model.config = (path.is_relative() ? dir / path : path).string();
    }
    model.mtp = r.optional_flag("mtp").value_or(false);
    cluster.gpu = r.text("gpu");
    if (presets::find_cluster(cluster.gpu) == nullptr)
        r.fail("gpu", "unknown GPU preset '" + cluster.gpu +
                          "' (expected one of: " + join(cluster_preset_names()) + ")");
    cluster.gpus_per_node = int_key(r, "gpus_per_node", 1, 0);
    cluster.calibration = start;
    layout.layout_text = r.optional_text("layout").value_or("");
    layout.seed_layout_text = r.optional_text("seed_layout").value_or("");
    if (!layout.layout_text.empty() && !layout.seed_layout_text.empty())
        r.fail("seed_layout", "give layout or seed_layout, not both");
}

/// "options": the modelling options evaluate and train take (not --ideal: a bound has nothing
/// to calibrate).
inline modelling_options read_modelling(const reader& point) {
    modelling_options o;
    if (point.find("options") == nullptr)
        return o;
    const reader r = point.object("options");
    r.only({"overlap", "imbalance", "headroom", "dispatch_fp8", "routing_skew"});
    o.overlap = r.optional_flag("overlap").value_or(false);
    o.imbalance = r.optional_number("imbalance").value_or(o.imbalance);
    o.headroom = r.optional_number("headroom").value_or(o.headroom);
    o.dispatch_fp8 = r.optional_flag("dispatch_fp8").value_or(false);
    o.routing_skew = r.optional_number("routing_skew").value_or(0);
    return o;
}

inline point read_serving(const reader& r, point p, const std::filesystem::path& dir,
                          const std::string& start) {
    r.only({"name", "source", "model", "mtp", "gpu", "gpus_per_node", "layout", "seed_layout",
            "workload", "options", "precision", "measured", "value"});
    evaluate_cmd::options o;
    read_deployment(r, dir, start, o.model, o.cluster, o.layout);
    const reader w = r.object("workload");
    w.only({"batch", "prompt", "context", "micro_batches", "decode_micro_batches", "draft_tokens",
            "draft_acceptance", "acceptance_length", "prefix_cache_hit", "step_tokens"});
    o.workload.batch = int_key(w, "batch", 1, o.workload.batch);
    o.workload.prompt = int_key(w, "prompt", 1, o.workload.prompt);
    o.workload.context = int_key(w, "context", 1, 0);
    o.workload.micro_batches = int_key(w, "micro_batches", 1, 0);
    o.workload.decode_micro_batches = int_key(w, "decode_micro_batches", 1, 0);
    o.workload.draft_tokens = int_key(w, "draft_tokens", 0, 0);
    // drafts take the acceptance or the mean tokens a step gains (--acceptance-length)
    const bool rate = w.find("draft_acceptance") != nullptr,
               length = w.find("acceptance_length") != nullptr;
    if (rate && length)
        w.fail("acceptance_length", "give draft_acceptance or acceptance_length, not both");
    if (o.workload.draft_tokens > 0 && !rate && !length)
        w.fail("draft_tokens", "requires draft_acceptance or acceptance_length");
    o.workload.acceptance_length = w.optional_number("acceptance_length").value_or(not_given);
    o.workload.draft_acceptance = w.optional_number("draft_acceptance").value_or(not_given);
    o.workload.prefix_cache_hit = w.optional_number("prefix_cache_hit").value_or(0);
    o.workload.step_tokens = int_key(w, "step_tokens", 1, 0);
    o.modelling = read_modelling(r);
    if (r.find("precision") != nullptr) {
        const reader q = r.object("precision");
        q.only({"weights", "experts", "embeddings", "kv", "activations", "attention"});
        std::vector<std::string> or_weights = dtype_names();
        or_weights.emplace_back("weights");
        std::vector<std::string> or_activations = dtype_names(false);
        or_activations.emplace_back("activations");
        o.model.weights = dtype_key(q, "weights", dtype_names());
        o.model.experts = dtype_key(q, "experts", or_weights);
        o.model.embeddings = dtype_key(q, "embeddings", or_weights);
        o.model.kv = dtype_key(q, "kv", dtype_names(false));
        o.model.activations = dtype_key(q, "activations", dtype_names(false));
        o.model.attention = dtype_key(q, "attention", or_activations);
    }
    p.serving = evaluate_cmd::resolve(o);
    return p;
}

inline point read_training(const reader& r, point p, const std::filesystem::path& dir,
                           const std::string& start) {
    r.only({"name", "source", "model", "mtp", "gpu", "gpus_per_node", "layout", "seed_layout",
            "training", "options", "measured", "value"});
    train_cmd::options o;
    read_deployment(r, dir, start, o.model, o.cluster, o.layout);
    const reader t = r.object("training");
    t.only({"global_batch", "micro_batch", "seq", "recompute", "recompute_layers", "zero",
            "virtual_stages", "sequence_parallel", "fp8", "overlap_grad_reduce", "no_flash",
            "dropout", "uneven_stages", "embedding_in_pipeline_split", "loss_in_pipeline_split"});
    const auto batch = t.optional_integer("global_batch", 1, max_count);
    if (!batch)
        t.fail("global_batch", "required but missing");
    o.global_batch = std::to_string(*batch);
    o.micro_batch = int_key(t, "micro_batch", 1, o.micro_batch);
    o.seq = int_key(t, "seq", 1, o.seq);
    o.recompute = t.optional_text("recompute").value_or(o.recompute);
    const std::vector<std::string> modes = train_cmd::recompute_names();
    if (std::find(modes.begin(), modes.end(), o.recompute) == modes.end())
        t.fail("recompute", "unknown recompute mode '" + o.recompute +
                                "' (expected one of: " + join(modes) + ")");
    o.recompute_layers = int_key(t, "recompute_layers", 0, 0);
    o.zero = static_cast<int>(t.optional_integer("zero", 0, 3).value_or(0));
    o.virtual_stages = int_key(t, "virtual_stages", 1, 1);
    o.sequence_parallel = t.optional_flag("sequence_parallel").value_or(false);
    o.fp8 = t.optional_flag("fp8").value_or(false);
    o.overlap_grad_reduce = t.optional_flag("overlap_grad_reduce").value_or(false);
    o.no_flash = t.optional_flag("no_flash").value_or(false);
    o.dropout = t.optional_flag("dropout").value_or(false);
    o.uneven_stages = t.optional_flag("uneven_stages").value_or(false);
    o.embedding_in_split = t.optional_flag("embedding_in_pipeline_split").value_or(false);
    o.loss_in_split = t.optional_flag("loss_in_pipeline_split").value_or(false);
    o.modelling = read_modelling(r);
    p.training = train_cmd::resolve(o);
    return p;
}

} // namespace detail

/**
 * The points of the measurements file at `path`, each resolved with `start` (a calibration
 * file, or empty for the GPU preset's profile) in place of its GPU's profile. A file that
 * cannot be read, or a point that is malformed or cannot be evaluated, is a load_error naming
 * the file, the point and the key.
 */
inline std::vector<point> read_points(const std::string& path, const std::string& start) {
    const std::string text = io::hf_reader::read_file(path, path);
    const nlohmann::json doc = io::hf_reader::parse_json(text, path);
    if (!doc.is_object())
        throw io::load_error(path + ": expected a JSON object with \"points\", got " +
                             io::hf_reader::shown(doc));
    const detail::reader top(doc, path, "");
    top.only({"points", "description"});
    const nlohmann::json& list = top.required("points");
    if (!list.is_array() || list.empty())
        top.fail("points", "expected a non-empty array of measured points, got " +
                               io::hf_reader::shown(list));
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    std::vector<point> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "points[" + std::to_string(i) + "]";
        if (!list[i].is_object())
            top.fail(where, "expected an object, got " + io::hf_reader::shown(list[i]));
        const detail::reader r(list[i], path, where);
        point p;
        p.label = r.optional_text("name").value_or(where);
        const std::string key = r.text("measured");
        for (const measure& m : measures)
            if (key == m.key)
                p.what = &m;
        if (p.what == nullptr)
            r.fail("measured", "unknown measure '" + key +
                                   "' (expected one of: " + join(measure_names()) + ")");
        p.value = r.number("value");
        if (!(p.value > 0))
            r.fail("value", "expected a number > 0, got " + number_text(p.value));
        if (p.what->training && r.find("workload") != nullptr)
            r.fail("workload",
                   "a training measure (" + key + ") takes \"training\", not a workload");
        if (!p.what->training && r.find("training") != nullptr)
            r.fail("training", "a serving measure (" + key + ") takes \"workload\", not training");
        try {
            p = p.what->training ? detail::read_training(r, std::move(p), dir, start)
                                 : detail::read_serving(r, std::move(p), dir, start);
        } catch (const usage_error& e) { // an option the resolve functions refuse
            throw io::load_error(path + ": " + where + ": " + e.what());
        } catch (const run_error& e) {
            throw io::load_error(path + ": " + where + ": " + e.what());
        }
        if (const std::string why = cannot_evaluate(p); !why.empty())
            throw io::load_error(path + ": " + where + " (" + p.label +
                                 "): cannot be evaluated: " + why);
        if (const std::string why = beyond_bound(p); !why.empty())
            throw io::load_error(path + ": " + where + " (" + p.label + "): " + why);
        out.push_back(std::move(p));
    }
    return out;
}

} // namespace moecost::cli::calibrate
