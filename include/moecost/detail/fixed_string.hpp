#pragma once
// A structural, constexpr string for names inside class-type template arguments.

#include <moecost/detail/require_cxx20.hpp>

#include <cstddef>
#include <string_view>

namespace moecost::detail {

template <std::size_t N>
struct fixed_string {
    char data[N + 1]{};
    std::size_t size = 0;

    constexpr fixed_string() = default;
    constexpr fixed_string(const char* s) { // NOLINT(google-explicit-constructor)
        while (s[size] != '\0' && size < N) {
            data[size] = s[size];
            ++size;
        }
    }
    constexpr fixed_string(std::string_view s) { // NOLINT(google-explicit-constructor)
        for (; size < s.size() && size < N; ++size)
            data[size] = s[size];
    }
    [[nodiscard]] constexpr std::string_view view() const { return {data, size}; }
    constexpr operator std::string_view() const { return view(); } // NOLINT
    friend constexpr bool operator==(const fixed_string&, const fixed_string&) = default;
};

} // namespace moecost::detail
