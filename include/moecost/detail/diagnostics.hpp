#pragma once
// Compile-time diagnostics that stay short on g++ and clang++ alike.
//
// A check that fails at compile time reports through `diagnose<Id, Ok, Numbers...>`: a
// specialisation for each Id holds `static_assert(Ok, "moecost: ...")`. Because the condition
// is a bare template parameter, clang++ prints the message alone ("static_assert failed
// "moecost: ..."") rather than the condition's text; because the specs are no template
// arguments of `diagnose`, the instantiation note that names it is short. The numbers ride
// along as types named for what they count (`layers<16>, pp<3>`), which both compilers print
// with their names, where a class-type argument (a spec with a fixed_string name) would print
// on clang++ as lists of character codes.

#include <moecost/detail/require_cxx20.hpp>

namespace moecost::detail {

/// The check named Id, with its numbers. Declared only: each Id has its specialisation, whose
/// `static_assert(Ok, "moecost: ...")` fails when Ok is false and whose `passed` is true
/// whatever Ok is, so that the caller's `static_assert(...::passed)` adds no second error.
template <auto Id, bool Ok, class... Numbers>
struct diagnose;

} // namespace moecost::detail
