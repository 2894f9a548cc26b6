#pragma once
/**
 * @file
 * The type face of a deployment: `deployment<Model, Cluster, Layout, Workload>` evaluates
 * at compile time; its traits feed `static_assert`, and `checked_deployment` refuses to
 * compile a deployment that breaks a rule, with a `moecost:` message and the numbers.
 *
 * @code
 * using d = moecost::deployment<
 *     moecost::as_type<moecost::presets::seed_moe>, moecost::as_type<moecost::presets::seed_gpu>,
 *     moecost::as_type<moecost::seed_layout(8, 2, 4, 2)>,
 *     moecost::as_type<moecost::workload{.batch = 128, .prompt = 10240}>>;
 * static_assert(d::fits && d::valid);
 * @endcode
 */

#include <moecost/detail/diagnostics.hpp>
#include <moecost/evaluate/inference.hpp>

#include <concepts>

namespace moecost {

/// Lifts a constexpr value (a spec, layout, workload, requirements) to a type.
template <auto Spec>
struct as_type {
    static constexpr auto spec = Spec;
};

template <class T, class Spec>
concept SpecOf = requires {
    { T::spec } -> std::convertible_to<const Spec&>;
};

/// A deployment as a type: everything is evaluated at compile time.
template <SpecOf<model_spec> M, SpecOf<cluster_spec> C, SpecOf<layout> L, SpecOf<workload> W,
          eval_options O = eval_options{}>
struct deployment {
    static constexpr report result = evaluate(M::spec, C::spec, L::spec, W::spec, O);
    static constexpr bool valid = result.valid();
    static constexpr bool fits = result.memory.fits;
    static constexpr violations problems = result.problems;

    /// Does the deployment meet requirements R (a type with `static constexpr requirements spec`)?
    template <SpecOf<requirements> R>
    static constexpr bool meets = evaluate(M::spec, C::spec, L::spec, W::spec, O, R::spec).meets();
};

namespace detail {

/// The numbers of a broken rule in a compile error, as types named for what they count.
namespace offending {
// clang-format off
template <long long N> struct layers {};
template <long long N> struct pp {};
template <long long N> struct routed_experts {};
template <long long N> struct ep {};
template <long long N> struct heads {};
template <long long N> struct tp {};
template <long long N> struct kv_heads {};
template <long long N> struct ffn_hidden {};
template <long long N> struct expert_hidden {};
template <long long N> struct etp {};
template <long long N> struct batch {};
template <long long N> struct dp {};
template <long long N> struct prompt {};
template <long long N> struct cp {};
template <long long N> struct attention_mesh_tp_cp_dp {};
template <long long N> struct expert_mesh_etp_ep {};
template <long long N> struct gpus_needed {};
template <long long N> struct cluster_gpus {};
template <long long N> struct group_gpus {};
template <long long N> struct node_gpus {};
template <long long N> struct draft_tokens {};
template <long long N> struct mtp_layers {};
template <long long N> struct bytes_per_gpu {};
template <long long N> struct usable_bytes_per_gpu {};
template <long long N> struct stages {};
template <long long N> struct layers_in_model {};
template <long long N> struct micro_batches {};
template <long long N> struct sequences_per_dp_rank {};
template <long long N> struct value {};
template <long long N> struct limit {};
template <rule R> struct broken_rule {};
// clang-format on
} // namespace offending

/// The rules a spec breaks on its own (validate()), which checked_deployment reports as one.
constexpr bool is_spec_rule(rule r) {
    return r == rule::positive || r == rule::non_negative || r == rule::at_most ||
           r == rule::divides || r == rule::at_least || r == rule::below ||
           r == rule::weight_format;
}
constexpr violation first_of(const violations& v, rule r) {
    for (const auto& x : v)
        if (x.what == r)
            return x;
    return {};
}
constexpr bool has_spec_violation(const violations& v) {
    for (const auto& x : v)
        if (is_spec_rule(x.what))
            return true;
    return false;
}
constexpr violation first_spec_violation(const violations& v) {
    for (const auto& x : v)
        if (is_spec_rule(x.what))
            return x;
    return {};
}
constexpr long long whole(double x) {
    return static_cast<long long>(x);
}

/// The check of rule R on the violations V, with its value and limit labelled: its arguments are
/// the rule and the numbers, never the specs, so that its diagnostic stays short.
template <const violations& V, rule R, template <long long> class Value,
          template <long long> class Limit>
using rule_check =
    diagnose<R, !V.has(R), Value<whole(first_of(V, R).value)>, Limit<whole(first_of(V, R).limit)>>;

/// The id of checked_deployment's check of the specs (validate()), beside its rules.
enum class deployment_check { invalid_spec };

// checked_deployment's messages: one diagnose specialisation for each check.
template <bool Ok, class... Numbers>
struct diagnose<rule::layers_vs_pp, Ok, Numbers...> {
    static_assert(
        Ok,
        "moecost: layers do not divide into pp equal stages: choose pp dividing the layer count");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::experts_vs_ep, Ok, Numbers...> {
    static_assert(
        Ok, "moecost: routed experts do not divide over ep: choose ep dividing the expert count");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::heads_vs_tp, Ok, Numbers...> {
    static_assert(
        Ok, "moecost: attention heads do not divide over tp: choose tp dividing the head count");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::kv_heads_vs_tp, Ok, Numbers...> {
    static_assert(Ok, "moecost: kv heads and tp: neither divides the other; choose tp dividing or "
                      "a multiple of kv_heads");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::ffn_vs_tp, Ok, Numbers...> {
    static_assert(Ok, "moecost: dense ffn hidden does not divide over tp: choose tp dividing the "
                      "FFN hidden size");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::expert_ffn_vs_etp, Ok, Numbers...> {
    static_assert(Ok, "moecost: expert hidden does not divide over etp: choose etp dividing the "
                      "expert hidden size");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::batch_vs_dp, Ok, Numbers...> {
    static_assert(
        Ok,
        "moecost: batch does not divide over the attention dp ranks: make batch a multiple of dp");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::prompt_vs_cp, Ok, Numbers...> {
    static_assert(
        Ok, "moecost: prompt length does not divide over cp: make the prompt a multiple of cp");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::world_mismatch, Ok, Numbers...> {
    static_assert(Ok, "moecost: attention mesh tp*cp*dp differs from expert mesh etp*ep*edp: "
                      "etp*ep must divide tp*cp*dp");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::world_vs_cluster, Ok, Numbers...> {
    static_assert(Ok, "moecost: the layout needs more GPUs than the cluster has: lower tp*cp*dp*pp "
                      "or raise cluster.max_gpus");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::group_crosses_node, Ok, Numbers...> {
    static_assert(
        Ok,
        "moecost: a tp or etp group is larger than a node: keep tensor parallelism inside a node");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::draft_needs_mtp, Ok, Numbers...> {
    static_assert(Ok,
                  "moecost: workload.draft_tokens > 0 drafts with the model's MTP modules and the "
                  "model has none: give it mtp_layers (deepseek_v3_mtp) or draft no tokens");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::stages_vs_layers, Ok, Numbers...> {
    static_assert(Ok, "moecost: more pipeline stages than layers: choose pp at most the layer "
                      "count");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::micro_batches_vs_batch, Ok, Numbers...> {
    static_assert(Ok, "moecost: more micro-batches than sequences per DP rank: give fewer "
                      "micro-batches or a larger batch");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<rule::memory, Ok, Numbers...> {
    static_assert(Ok, "moecost: memory per GPU exceeds the usable HBM: shard more (tp, ep, pp) or "
                      "shrink the batch");
    static constexpr bool passed = true;
};
template <bool Ok, class... Numbers>
struct diagnose<deployment_check::invalid_spec, Ok, Numbers...> {
    static_assert(Ok, "moecost: a spec of the deployment is invalid: moecost::validate() on the "
                      "model, cluster, layout and workload names the field");
    static constexpr bool passed = true;
};

} // namespace detail

/**
 * A deployment that must be valid and fit: each broken rule is a compile error whose error
 * line is a `moecost:` message, and whose instantiation note names the rule and its numbers,
 * labelled: `diagnose<moecost::rule::layers_vs_pp, false, ...::layers<16>, ...::pp<3>>`.
 */
template <SpecOf<model_spec> M, SpecOf<cluster_spec> C, SpecOf<layout> L, SpecOf<workload> W,
          eval_options O = eval_options{}>
struct checked_deployment : deployment<M, C, L, W, O> {
    using base = deployment<M, C, L, W, O>;
    static constexpr const violations& v = base::problems;

    static_assert(
        detail::rule_check<base::problems, rule::stages_vs_layers, detail::offending::stages,
                           detail::offending::layers_in_model>::passed);
    static_assert(detail::rule_check<base::problems, rule::layers_vs_pp, detail::offending::layers,
                                     detail::offending::pp>::passed);
    static_assert(
        detail::rule_check<base::problems, rule::experts_vs_ep, detail::offending::routed_experts,
                           detail::offending::ep>::passed);
    static_assert(detail::rule_check<base::problems, rule::heads_vs_tp, detail::offending::heads,
                                     detail::offending::tp>::passed);
    static_assert(detail::rule_check<base::problems, rule::kv_heads_vs_tp,
                                     detail::offending::kv_heads, detail::offending::tp>::passed);
    static_assert(detail::rule_check<base::problems, rule::ffn_vs_tp, detail::offending::ffn_hidden,
                                     detail::offending::tp>::passed);
    static_assert(
        detail::rule_check<base::problems, rule::expert_ffn_vs_etp,
                           detail::offending::expert_hidden, detail::offending::etp>::passed);
    static_assert(detail::rule_check<base::problems, rule::batch_vs_dp, detail::offending::batch,
                                     detail::offending::dp>::passed);
    static_assert(detail::rule_check<base::problems, rule::prompt_vs_cp, detail::offending::prompt,
                                     detail::offending::cp>::passed);
    static_assert(detail::rule_check<base::problems, rule::micro_batches_vs_batch,
                                     detail::offending::micro_batches,
                                     detail::offending::sequences_per_dp_rank>::passed);
    static_assert(detail::rule_check<base::problems, rule::world_mismatch,
                                     detail::offending::attention_mesh_tp_cp_dp,
                                     detail::offending::expert_mesh_etp_ep>::passed);
    static_assert(
        detail::rule_check<base::problems, rule::world_vs_cluster, detail::offending::gpus_needed,
                           detail::offending::cluster_gpus>::passed);
    static_assert(
        detail::rule_check<base::problems, rule::group_crosses_node, detail::offending::group_gpus,
                           detail::offending::node_gpus>::passed);
    static_assert(
        detail::rule_check<base::problems, rule::draft_needs_mtp, detail::offending::draft_tokens,
                           detail::offending::mtp_layers>::passed);
    static_assert(detail::rule_check<base::problems, rule::memory, detail::offending::bytes_per_gpu,
                                     detail::offending::usable_bytes_per_gpu>::passed);
    static_assert(detail::diagnose<
                  detail::deployment_check::invalid_spec, !detail::has_spec_violation(v),
                  detail::offending::broken_rule<detail::first_spec_violation(v).what>,
                  detail::offending::value<detail::whole(detail::first_spec_violation(v).value)>,
                  detail::offending::limit<detail::whole(detail::first_spec_violation(v).limit)>>::
                      passed);
};

} // namespace moecost
