#pragma once
/**
 * @file
 * Named violations with their numbers: what is wrong with a spec or a deployment.
 *
 * A violation records which rule broke, the field it concerns and the two numbers that
 * disagree (a value and the limit or divisor it failed against). Lists have a fixed
 * capacity so that checking allocates nothing and works in constant expressions.
 */

#include <moecost/detail/require_cxx20.hpp>
#include <moecost/units.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

namespace moecost {

/// The rules moecost checks. `describe` turns each into a sentence.
enum class rule {
    positive,           ///< a dimension must be > 0
    non_negative,       ///< a count must be >= 0
    at_most,            ///< value must be <= limit
    divides,            ///< limit must be a multiple of value (value divides limit)
    layers_vs_pp,       ///< layers must divide evenly into pipeline stages
    experts_vs_ep,      ///< routed experts must divide evenly over EP ranks
    heads_vs_tp,        ///< attention heads must divide over TP
    kv_heads_vs_tp,     ///< KV heads vs TP: neither divides the other
    ffn_vs_tp,          ///< dense FFN hidden must divide over TP
    expert_ffn_vs_etp,  ///< expert hidden must divide over ETP
    batch_vs_dp,        ///< batch must divide over the attention data-parallel ranks
    world_mismatch,     ///< TP·CP·DP·PP differs from ETP·EP·EDP·PP
    world_vs_cluster,   ///< the layout needs more GPUs than the cluster has
    group_crosses_node, ///< a TP or ETP group spans more GPUs than a node holds
    memory,             ///< per-GPU memory exceeds capacity
    requirement,        ///< a service target is missed
    prompt_vs_cp,       ///< prompt length must divide over CP
    at_least,           ///< value must be >= limit
    draft_needs_mtp,    ///< speculative decoding drafts with MTP modules the model lacks
    weight_format, ///< a weight-only dtype (mxfp4, nvfp4, int4) stores something other than weights
    stages_vs_layers,       ///< more pipeline stages than layers: a stage would hold none
    micro_batches_vs_batch, ///< more micro-batches than sequences per DP rank: some are empty
    below,                  ///< value must be < limit (keep last: rule_count)
};

/// How many rules there are.
inline constexpr std::size_t rule_count = static_cast<std::size_t>(rule::below) + 1;

/// One broken rule: which, on what field, and the two numbers that disagree.
struct violation {
    rule what{};
    const char* field = "";
    double value = 0;
    double limit = 0;
    int factor = 0; ///< where the limit is a product the user set: its second factor (else 0)
};

/// A fixed-capacity list of violations (no allocation).
struct violations {
    static constexpr int capacity = 16;
    std::array<violation, capacity> items{};
    int count = 0;
    int dropped = 0; ///< violations beyond capacity, counted but not stored

    constexpr void add(rule r, const char* field, double value, double limit = 0) {
        if (count < capacity)
            items[static_cast<std::size_t>(count++)] = {r, field, value, limit, 0};
        else
            ++dropped;
    }
    constexpr void add(const violation& v) {
        if (count < capacity)
            items[static_cast<std::size_t>(count++)] = v;
        else
            ++dropped;
    }
    constexpr void append(const violations& other) {
        for (int i = 0; i < other.count; ++i)
            add(other.items[static_cast<std::size_t>(i)]);
        dropped += other.dropped;
    }
    [[nodiscard]] constexpr bool ok() const { return count == 0 && dropped == 0; }
    [[nodiscard]] constexpr bool has(rule r) const {
        for (int i = 0; i < count; ++i)
            if (items[static_cast<std::size_t>(i)].what == r)
                return true;
        return false;
    }
    [[nodiscard]] constexpr const violation* begin() const { return items.data(); }
    [[nodiscard]] constexpr const violation* end() const { return items.data() + count; }
};

/**
 * The rules every spec breaks, in one list: `validate_all(model, cluster, workload, layout)`
 * is `validate(model)` followed by the others' violations, without a list per spec.
 * Each spec type provides `validate_into(violations&, const Spec&)` beside its `validate`.
 */
template <class... Specs>
constexpr violations validate_all(const Specs&... specs) {
    violations out;
    (validate_into(out, specs), ...);
    return out;
}

/// Adds the rule a prefix-cache hit rate breaks, if any, to `out`: it is a share of a prompt's
/// tokens, from 0 to below 1 (at least one token is computed: its logits start decoding); NaN
/// breaks it too.
constexpr void validate_cache_hit_into(violations& out, const char* field, double hit) {
    if (hit >= 0.0 && hit < 1.0)
        return;
    if (hit >= 1.0)
        out.add(rule::below, field, hit, 1);
    else
        out.add(rule::non_negative, field, hit);
}

/// The rule's name as a key: "layers_vs_pp" (JSON, and the type face's messages).
constexpr const char* key_of(rule r) {
    switch (r) {
    case rule::positive:
        return "positive";
    case rule::non_negative:
        return "non_negative";
    case rule::at_most:
        return "at_most";
    case rule::divides:
        return "divides";
    case rule::layers_vs_pp:
        return "layers_vs_pp";
    case rule::experts_vs_ep:
        return "experts_vs_ep";
    case rule::heads_vs_tp:
        return "heads_vs_tp";
    case rule::kv_heads_vs_tp:
        return "kv_heads_vs_tp";
    case rule::ffn_vs_tp:
        return "ffn_vs_tp";
    case rule::expert_ffn_vs_etp:
        return "expert_ffn_vs_etp";
    case rule::batch_vs_dp:
        return "batch_vs_dp";
    case rule::world_mismatch:
        return "world_mismatch";
    case rule::world_vs_cluster:
        return "world_vs_cluster";
    case rule::group_crosses_node:
        return "group_crosses_node";
    case rule::memory:
        return "memory";
    case rule::requirement:
        return "requirement";
    case rule::prompt_vs_cp:
        return "prompt_vs_cp";
    case rule::at_least:
        return "at_least";
    case rule::draft_needs_mtp:
        return "draft_needs_mtp";
    case rule::weight_format:
        return "weight_format";
    case rule::stages_vs_layers:
        return "stages_vs_layers";
    case rule::micro_batches_vs_batch:
        return "micro_batches_vs_batch";
    case rule::below:
        return "below";
    }
    return "?";
}

/// Whether a rule's numbers are byte counts (printed with an SI prefix, kept whole in JSON).
constexpr bool counts_bytes(rule r) {
    return r == rule::memory;
}

/**
 * A violation's number as the tables print it: a whole number in full (tp = 1048576), any
 * other to six significant digits.
 */
inline std::string number_text(double v) {
    char buf[40];
    if (v < 1e18 && v > -1e18 && v == static_cast<double>(static_cast<long long>(v)))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
        std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

/// A one-line English description of a violation, with its numbers.
inline std::string describe(const violation& v) {
    const auto num = [](double x) { return number_text(x); };
    const std::string f = v.field;
    switch (v.what) {
    case rule::positive:
        return f + " must be > 0 (got " + num(v.value) + ")";
    case rule::non_negative:
        return f + " must be >= 0 (got " + num(v.value) + ")";
    case rule::at_most:
        return f + " = " + num(v.value) + " exceeds " + num(v.limit);
    case rule::divides:
        return f + ": " + num(v.limit) + " is not divisible by " + num(v.value);
    case rule::layers_vs_pp:
        if (v.factor > 1)
            return "layers (" + num(v.value) + ") do not divide into pp = " + num(v.limit) + " × " +
                   num(v.factor) + " virtual stages = " + num(v.limit * v.factor) + " chunks";
        return "layers (" + num(v.value) + ") do not divide into pp = " + num(v.limit) +
               " equal stages";
    case rule::experts_vs_ep:
        return "routed experts (" + num(v.value) + ") do not divide over ep = " + num(v.limit);
    case rule::heads_vs_tp:
        return "attention heads (" + num(v.value) + ") do not divide over tp = " + num(v.limit);
    case rule::kv_heads_vs_tp:
        return "kv heads (" + num(v.value) + ") and tp = " + num(v.limit) +
               ": neither divides the other";
    case rule::ffn_vs_tp:
        return "dense ffn hidden (" + num(v.value) + ") does not divide over tp = " + num(v.limit);
    case rule::expert_ffn_vs_etp:
        return "expert hidden (" + num(v.value) + ") does not divide over etp = " + num(v.limit);
    case rule::batch_vs_dp:
        return "batch (" + num(v.value) + ") does not divide over " + f + " = " + num(v.limit);
    case rule::world_mismatch:
        return "expert mesh etp*ep (per stage: " + num(v.limit) +
               ") does not divide the attention mesh tp*cp*dp (per stage: " + num(v.value) + ")";
    case rule::world_vs_cluster:
        return "layout needs " + num(v.value) + " GPUs, cluster has " + num(v.limit);
    case rule::group_crosses_node:
        return f + " group of " + num(v.value) + " GPUs crosses a node of " + num(v.limit);
    case rule::memory:
        return "memory per GPU " + pretty(make<bytes>(v.value)) + " exceeds usable " +
               pretty(make<bytes>(v.limit));
    case rule::stages_vs_layers:
        return "pp = " + num(v.value) + " stages exceed the model's " + num(v.limit) +
               " layers: a stage would hold none";
    case rule::micro_batches_vs_batch:
        return f + " = " + num(v.value) + " exceed the " + num(v.limit) +
               " sequences per DP rank: a micro-batch would be empty";
    case rule::requirement:
        return f + " = " + num(v.value) + " misses target " + num(v.limit);
    case rule::prompt_vs_cp:
        return "prompt length (" + num(v.value) + ") does not divide over cp = " + num(v.limit);
    case rule::at_least:
        return f + " = " + num(v.value) + " is below " + num(v.limit);
    case rule::below:
        return f + " = " + num(v.value) + " must be below " + num(v.limit);
    case rule::weight_format:
        return f + " is a 4-bit format for weights (" + num(v.value) +
               " bits with its block scales): store it in bf16, fp16, fp32, fp8 or int8";
    case rule::draft_needs_mtp:
        return f + " = " + num(v.value) +
               " drafts with the model's MTP modules, and it has none (mtp_layers = 0): use a "
               "model with them (deepseek-v3-mtp; a config read with its MTP modules) or draft "
               "no tokens";
    }
    return f;
}

} // namespace moecost
