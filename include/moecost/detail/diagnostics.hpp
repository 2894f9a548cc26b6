#pragma once
// Compile-time diagnostics that carry the offending numbers into the error text.

namespace moecost::detail {
/// Never defined: instantiated only when a check fails, so the error shows the numbers.
template <auto... Numbers>
struct moecost_offending_numbers;
template <bool Ok, auto... Numbers>
struct show_numbers_if {
    static constexpr bool value = true;
};
template <auto... Numbers>
struct show_numbers_if<false, Numbers...> {
    static constexpr bool value = sizeof(moecost_offending_numbers<Numbers...>) > 0;
};
} // namespace moecost::detail
