// A model type whose top_k exceeds its number of routed experts must not compile.
// expect-first-error: moecost: model\.moe\.top_k exceeds moe\.experts
// expect: moecost::detail::model_offending::top_k<9>, moecost::detail::model_offending::experts<8>

#include <moecost/spec/model.hpp>

namespace {
constexpr moecost::model_spec spec_with_top_k(int top_k) {
    return {.name = "topk",
            .layers = 2,
            .hidden = 64,
            .attention = {.heads = 4, .kv_heads = 2},
            .ffn = {.hidden = 128},
            .moe = {.experts = 8, .top_k = top_k, .expert_hidden = 32}};
}
} // namespace

#ifdef MOECOST_COMPILE_FAIL
// top-9 of 8 experts: instantiating the model type fires its static_assert
using bad = moecost::model<spec_with_top_k(9)>;
static_assert(bad::spec.moe.top_k == 9);
#else
// top-8 of 8 is the limit and compiles
using ok = moecost::model<spec_with_top_k(8)>;
static_assert(ok::spec.moe.top_k == 8);
static_assert(moecost::ModelType<ok>);
#endif
