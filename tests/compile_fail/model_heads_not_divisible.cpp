// GQA with a number of query heads that is not a multiple of the KV heads must not compile:
// 32 query heads cannot be grouped over 6 KV heads (32 = 5·6 + 2).
// expect-first-error: moecost: model\.attention\.heads must be a multiple of attention\.kv_heads
// expect: moecost::detail::model_offending::heads<32>, moecost::detail::model_offending::kv_heads<6>

#include <moecost/spec/model.hpp>

namespace {
constexpr moecost::model_spec spec_with_kv_heads(int kv_heads) {
    return {.name = "gqa",
            .layers = 2,
            .hidden = 4096,
            .attention = {.heads = 32, .kv_heads = kv_heads},
            .ffn = {.hidden = 14336}};
}
} // namespace

#ifdef MOECOST_COMPILE_FAIL
using bad = moecost::model<spec_with_kv_heads(6)>;
static_assert(bad::spec.attention.kv_heads == 6);
#else
// 8 KV heads serve groups of 4 query heads (Llama-3-8B's shape) and compile
using ok = moecost::model<spec_with_kv_heads(8)>;
static_assert(ok::spec.attention.kv_heads == 8);
#endif
