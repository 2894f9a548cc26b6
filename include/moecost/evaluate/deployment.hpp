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
constexpr violation find(const violations& v, rule r) {
    for (const auto& x : v)
        if (x.what == r)
            return x;
    return {};
}
template <const violations& V, rule R>
inline constexpr bool ok_rule = !V.has(R);
template <const violations& V, rule R>
inline constexpr bool shows_numbers =
    show_numbers_if<ok_rule<V, R>, static_cast<long long>(find(V, R).value),
                    static_cast<long long>(find(V, R).limit)>::value;
} // namespace detail

/**
 * A deployment that must be valid and fit: each broken rule is a compile error with a
 * `moecost:` message; `moecost_offending_numbers<value, limit>` in the same diagnostic
 * carries the numbers.
 */
template <SpecOf<model_spec> M, SpecOf<cluster_spec> C, SpecOf<layout> L, SpecOf<workload> W,
          eval_options O = eval_options{}>
struct checked_deployment : deployment<M, C, L, W, O> {
    using base = deployment<M, C, L, W, O>;
    static constexpr const violations& v = base::problems;

    static_assert(
        detail::ok_rule<v, rule::layers_vs_pp>,
        "moecost: layers do not divide into pp equal stages: choose pp dividing the layer count");
    static_assert(detail::shows_numbers<v, rule::layers_vs_pp>);
    static_assert(
        detail::ok_rule<v, rule::experts_vs_ep>,
        "moecost: routed experts do not divide over ep: choose ep dividing the expert count");
    static_assert(detail::shows_numbers<v, rule::experts_vs_ep>);
    static_assert(
        detail::ok_rule<v, rule::heads_vs_tp>,
        "moecost: attention heads do not divide over tp: choose tp dividing the head count");
    static_assert(detail::shows_numbers<v, rule::heads_vs_tp>);
    static_assert(detail::ok_rule<v, rule::kv_heads_vs_tp>,
                  "moecost: kv heads and tp: neither divides the other; choose tp dividing or a "
                  "multiple of kv_heads");
    static_assert(detail::shows_numbers<v, rule::kv_heads_vs_tp>);
    static_assert(detail::ok_rule<v, rule::ffn_vs_tp>,
                  "moecost: dense ffn hidden does not divide over tp: choose tp dividing the FFN "
                  "hidden size");
    static_assert(detail::shows_numbers<v, rule::ffn_vs_tp>);
    static_assert(detail::ok_rule<v, rule::expert_ffn_vs_etp>,
                  "moecost: expert hidden does not divide over etp: choose etp dividing the expert "
                  "hidden size");
    static_assert(detail::shows_numbers<v, rule::expert_ffn_vs_etp>);
    static_assert(
        detail::ok_rule<v, rule::batch_vs_dp>,
        "moecost: batch does not divide over the attention dp ranks: make batch a multiple of dp");
    static_assert(detail::shows_numbers<v, rule::batch_vs_dp>);
    static_assert(
        detail::ok_rule<v, rule::prompt_vs_cp>,
        "moecost: prompt length does not divide over cp: make the prompt a multiple of cp");
    static_assert(detail::shows_numbers<v, rule::prompt_vs_cp>);
    static_assert(detail::ok_rule<v, rule::world_mismatch>,
                  "moecost: attention mesh tp*cp*dp differs from expert mesh etp*ep*edp: etp*ep "
                  "must divide tp*cp*dp");
    static_assert(detail::shows_numbers<v, rule::world_mismatch>);
    static_assert(detail::ok_rule<v, rule::world_vs_cluster>,
                  "moecost: the layout needs more GPUs than the cluster has: lower tp*cp*dp*pp or "
                  "raise cluster.max_gpus");
    static_assert(detail::shows_numbers<v, rule::world_vs_cluster>);
    static_assert(
        detail::ok_rule<v, rule::group_crosses_node>,
        "moecost: a tp or etp group is larger than a node: keep tensor parallelism inside a node");
    static_assert(detail::shows_numbers<v, rule::group_crosses_node>);
    static_assert(detail::ok_rule<v, rule::draft_needs_mtp>,
                  "moecost: workload.draft_tokens > 0 drafts with the model's MTP modules and "
                  "the model has none: give it mtp_layers (deepseek_v3_mtp) or draft no tokens");
    static_assert(detail::shows_numbers<v, rule::draft_needs_mtp>);
    static_assert(detail::ok_rule<v, rule::memory>,
                  "moecost: memory per GPU exceeds the usable HBM: shard more (tp, ep, pp) or "
                  "shrink the batch");
    static_assert(detail::shows_numbers<v, rule::memory>);
    static_assert(detail::ok_rule<v, rule::positive> && detail::ok_rule<v, rule::non_negative> &&
                      detail::ok_rule<v, rule::at_most> && detail::ok_rule<v, rule::divides> &&
                      detail::ok_rule<v, rule::at_least> && detail::ok_rule<v, rule::below> &&
                      detail::ok_rule<v, rule::weight_format>,
                  "moecost: a spec of the deployment is invalid: moecost::validate() on the model, "
                  "cluster, layout and workload names the field");
};

} // namespace moecost
