#pragma once
/**
 * @file
 * The units of moecost: a Boost.Units system whose base units are the floating-point
 * operation (FLOP), the byte, the second and the token.
 *
 * Every cost moecost reports is a quantity of this system, so `flops / flop_rate` is
 * `seconds` and `flops + bytes` does not compile.
 *
 * The token is a base dimension of its own rather than a dimensionless count: the seed
 * plan's errors were per-token versus per-second slips, and with a token dimension
 * `flops_per_token * tokens` is `flops` while `flops_per_token * seconds` is nonsense the
 * compiler rejects wherever it is used as FLOPs or seconds.
 *
 * @code
 * using namespace moecost::literals;
 * static_assert(7.3728e6_FLOP / 240.0_TFLOP_per_s < 1.0_us);
 * @endcode
 */

#include <moecost/detail/require_cxx20.hpp>

#include <boost/units/base_dimension.hpp>
#include <boost/units/base_unit.hpp>
#include <boost/units/base_units/information/byte.hpp>
#include <boost/units/base_units/si/second.hpp>
#include <boost/units/make_system.hpp>
#include <boost/units/physical_dimensions/information.hpp>
#include <boost/units/physical_dimensions/time.hpp>
#include <boost/units/quantity.hpp>
#include <boost/units/unit.hpp>

#include <cstdio>
#include <string>

namespace moecost {
namespace units {

/// Base dimension: amount of arithmetic work.
struct flop_base_dimension : boost::units::base_dimension<flop_base_dimension, 1901> {};
/// Base dimension: tokens (positions of a sequence processed or generated).
struct token_base_dimension : boost::units::base_dimension<token_base_dimension, 1902> {};

using flop_dimension = flop_base_dimension::dimension_type;
using token_dimension = token_base_dimension::dimension_type;
using byte_dimension = boost::units::information_dimension;
using time_dimension = boost::units::time_dimension;

struct flop_base_unit : boost::units::base_unit<flop_base_unit, flop_dimension, 1901> {
    static constexpr const char* name() { return "floating-point operation"; }
    static constexpr const char* symbol() { return "FLOP"; }
};
struct token_base_unit : boost::units::base_unit<token_base_unit, token_dimension, 1902> {
    static constexpr const char* name() { return "token"; }
    static constexpr const char* symbol() { return "token"; }
};

/// The moecost unit system: FLOP, byte, second, token.
using system = boost::units::make_system<flop_base_unit, boost::units::information::byte_base_unit,
                                         boost::units::si::second_base_unit, token_base_unit>::type;

using flop_unit = boost::units::unit<flop_dimension, system>;
using byte_unit = boost::units::unit<byte_dimension, system>;
using second_unit = boost::units::unit<time_dimension, system>;
using token_unit = boost::units::unit<token_dimension, system>;
using dimensionless_unit = boost::units::unit<boost::units::dimensionless_type, system>;

template <class A, class B>
using divide_t = typename boost::units::divide_typeof_helper<A, B>::type;

using flop_rate_unit = divide_t<flop_unit, second_unit>;
using byte_rate_unit = divide_t<byte_unit, second_unit>;
using token_rate_unit = divide_t<token_unit, second_unit>;
using flop_per_token_unit = divide_t<flop_unit, token_unit>;
using byte_per_token_unit = divide_t<byte_unit, token_unit>;
using second_per_token_unit = divide_t<second_unit, token_unit>;
using flop_per_byte_unit = divide_t<flop_unit, byte_unit>;

inline constexpr flop_unit flop{};
inline constexpr byte_unit byte{};
inline constexpr second_unit second{};
inline constexpr token_unit token{};

} // namespace units

template <class Unit>
using quantity = boost::units::quantity<Unit, double>;

using flops = quantity<units::flop_unit>;                     ///< FLOP count
using bytes = quantity<units::byte_unit>;                     ///< byte count
using seconds = quantity<units::second_unit>;                 ///< time
using tokens = quantity<units::token_unit>;                   ///< token count
using flop_rate = quantity<units::flop_rate_unit>;            ///< FLOP/s
using byte_rate = quantity<units::byte_rate_unit>;            ///< B/s
using token_rate = quantity<units::token_rate_unit>;          ///< token/s
using flops_per_token = quantity<units::flop_per_token_unit>; ///< FLOP/token
using bytes_per_token = quantity<units::byte_per_token_unit>; ///< B/token
using seconds_per_token = quantity<units::second_per_token_unit>;
using flops_per_byte = quantity<units::flop_per_byte_unit>; ///< arithmetic intensity
/// Time per FLOP and per byte: the reciprocals of the rates, so that a time is a product.
using seconds_per_flop = quantity<units::divide_t<units::second_unit, units::flop_unit>>;
using seconds_per_byte = quantity<units::divide_t<units::second_unit, units::byte_unit>>;

/// Makes a quantity of type Q from a number in moecost's base units.
template <class Q>
constexpr Q make(double base_value) {
    return Q::from_value(base_value);
}

/**
 * A unit-bearing field of a config, stored as a plain base-unit number.
 *
 * Boost.Units keeps a quantity's value private, so a quantity cannot be a member of a
 * class-type template argument. Configs hold `stored<Q>` instead: structural (public
 * `value`), implicitly made from and turned into a `Q`.
 */
template <class Q>
struct stored {
    double value{};

    constexpr stored() = default;
    constexpr stored(Q q) : value(q.value()) {} // NOLINT(google-explicit-constructor)
    constexpr operator Q() const { return Q::from_value(value); } // NOLINT
    [[nodiscard]] constexpr Q get() const { return Q::from_value(value); }
    friend constexpr bool operator==(const stored&, const stored&) = default;
};

namespace literals {
// clang-format off
constexpr flops operator""_FLOP(long double v)  { return make<flops>(static_cast<double>(v)); }
constexpr flops operator""_FLOP(unsigned long long v) { return make<flops>(static_cast<double>(v)); }
constexpr flops operator""_MFLOP(long double v) { return make<flops>(static_cast<double>(v) * 1e6); }
constexpr flops operator""_MFLOP(unsigned long long v) { return make<flops>(static_cast<double>(v) * 1e6); }
constexpr flops operator""_GFLOP(long double v) { return make<flops>(static_cast<double>(v) * 1e9); }
constexpr flops operator""_GFLOP(unsigned long long v) { return make<flops>(static_cast<double>(v) * 1e9); }
constexpr flops operator""_TFLOP(long double v) { return make<flops>(static_cast<double>(v) * 1e12); }
constexpr flops operator""_TFLOP(unsigned long long v) { return make<flops>(static_cast<double>(v) * 1e12); }
constexpr flops operator""_PFLOP(long double v) { return make<flops>(static_cast<double>(v) * 1e15); }
constexpr flops operator""_PFLOP(unsigned long long v) { return make<flops>(static_cast<double>(v) * 1e15); }

constexpr flop_rate operator""_TFLOP_per_s(long double v) { return make<flop_rate>(static_cast<double>(v) * 1e12); }
constexpr flop_rate operator""_TFLOP_per_s(unsigned long long v) { return make<flop_rate>(static_cast<double>(v) * 1e12); }
constexpr flop_rate operator""_PFLOP_per_s(long double v) { return make<flop_rate>(static_cast<double>(v) * 1e15); }
constexpr flop_rate operator""_PFLOP_per_s(unsigned long long v) { return make<flop_rate>(static_cast<double>(v) * 1e15); }

constexpr bytes operator""_B(unsigned long long v)  { return make<bytes>(static_cast<double>(v)); }
constexpr bytes operator""_B(long double v)         { return make<bytes>(static_cast<double>(v)); }
constexpr bytes operator""_KB(long double v)        { return make<bytes>(static_cast<double>(v) * 1e3); }
constexpr bytes operator""_KB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1e3); }
constexpr bytes operator""_MB(long double v)        { return make<bytes>(static_cast<double>(v) * 1e6); }
constexpr bytes operator""_MB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1e6); }
constexpr bytes operator""_GB(long double v)        { return make<bytes>(static_cast<double>(v) * 1e9); }
constexpr bytes operator""_GB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1e9); }
constexpr bytes operator""_TB(long double v)        { return make<bytes>(static_cast<double>(v) * 1e12); }
constexpr bytes operator""_TB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1e12); }
constexpr bytes operator""_KiB(long double v)       { return make<bytes>(static_cast<double>(v) * 1024.0); }
constexpr bytes operator""_KiB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1024.0); }
constexpr bytes operator""_MiB(long double v)       { return make<bytes>(static_cast<double>(v) * 1048576.0); }
constexpr bytes operator""_MiB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1048576.0); }
constexpr bytes operator""_GiB(long double v)       { return make<bytes>(static_cast<double>(v) * 1073741824.0); }
constexpr bytes operator""_GiB(unsigned long long v) { return make<bytes>(static_cast<double>(v) * 1073741824.0); }

constexpr byte_rate operator""_GB_per_s(long double v) { return make<byte_rate>(static_cast<double>(v) * 1e9); }
constexpr byte_rate operator""_GB_per_s(unsigned long long v) { return make<byte_rate>(static_cast<double>(v) * 1e9); }
constexpr byte_rate operator""_TB_per_s(long double v) { return make<byte_rate>(static_cast<double>(v) * 1e12); }
constexpr byte_rate operator""_TB_per_s(unsigned long long v) { return make<byte_rate>(static_cast<double>(v) * 1e12); }
/// Network line rates are quoted in bits: 400 Gb/s is 50 GB/s.
constexpr byte_rate operator""_Gbit_per_s(unsigned long long v) { return make<byte_rate>(static_cast<double>(v) * 1e9 / 8.0); }
constexpr byte_rate operator""_Gbit_per_s(long double v) { return make<byte_rate>(static_cast<double>(v) * 1e9 / 8.0); }

constexpr seconds operator""_s(long double v)  { return make<seconds>(static_cast<double>(v)); }
constexpr seconds operator""_s(unsigned long long v) { return make<seconds>(static_cast<double>(v)); }
constexpr seconds operator""_ms(long double v) { return make<seconds>(static_cast<double>(v) * 1e-3); }
constexpr seconds operator""_ms(unsigned long long v) { return make<seconds>(static_cast<double>(v) * 1e-3); }
constexpr seconds operator""_us(long double v) { return make<seconds>(static_cast<double>(v) * 1e-6); }
constexpr seconds operator""_us(unsigned long long v) { return make<seconds>(static_cast<double>(v) * 1e-6); }
constexpr seconds operator""_ns(long double v) { return make<seconds>(static_cast<double>(v) * 1e-9); }
constexpr seconds operator""_ns(unsigned long long v) { return make<seconds>(static_cast<double>(v) * 1e-9); }

constexpr tokens operator""_tok(unsigned long long v) { return make<tokens>(static_cast<double>(v)); }
constexpr tokens operator""_tok(long double v) { return make<tokens>(static_cast<double>(v)); }
// clang-format on
} // namespace literals

namespace detail {
template <class Unit>
struct unit_symbol; // deliberately undefined: printing an unknown unit fails to compile
template <>
struct unit_symbol<units::flop_unit> {
    static constexpr const char* text = "FLOP";
};
template <>
struct unit_symbol<units::byte_unit> {
    static constexpr const char* text = "B";
};
template <>
struct unit_symbol<units::second_unit> {
    static constexpr const char* text = "s";
};
template <>
struct unit_symbol<units::token_unit> {
    static constexpr const char* text = "token";
};
template <>
struct unit_symbol<units::flop_rate_unit> {
    static constexpr const char* text = "FLOP/s";
};
template <>
struct unit_symbol<units::byte_rate_unit> {
    static constexpr const char* text = "B/s";
};
template <>
struct unit_symbol<units::token_rate_unit> {
    static constexpr const char* text = "token/s";
};
template <>
struct unit_symbol<units::flop_per_token_unit> {
    static constexpr const char* text = "FLOP/token";
};
template <>
struct unit_symbol<units::byte_per_token_unit> {
    static constexpr const char* text = "B/token";
};
template <>
struct unit_symbol<units::second_per_token_unit> {
    static constexpr const char* text = "s/token";
};
template <>
struct unit_symbol<units::flop_per_byte_unit> {
    static constexpr const char* text = "FLOP/B";
};

inline std::string format_si(double v, const char* symbol, int significant) {
    static constexpr const char* prefixes[] = {"p", "n", "µ", "m", "",  "k", "M",
                                               "G", "T", "P", "E", "Z", "Y"};
    constexpr int zero = 4, top = 8;
    // A value that rounds to 1000 at `significant` digits takes the next prefix.
    double half_ulp = 0.5;
    for (int i = 0; i < significant - 3; ++i)
        half_ulp /= 10.0;
    for (int i = 0; i > significant - 3; --i)
        half_ulp *= 10.0;
    const double upper = 1000.0 - half_ulp, lower = 1.0 - half_ulp / 1000.0;
    int k = 0;
    double scaled = v < 0 ? -v : v;
    if (scaled != 0.0) {
        while (scaled >= upper && k < top) {
            scaled /= 1000.0;
            ++k;
        }
        while (scaled < lower && k > -zero) {
            scaled *= 1000.0;
            --k;
        }
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g %s%s", significant, v < 0 ? -scaled : scaled,
                  prefixes[zero + k], symbol);
    return buf;
}
} // namespace detail

/**
 * Prints a quantity with an SI prefix and its unit: `3.2 GB`, `240 TFLOP/s`, `30.7 ns`.
 * @param significant significant digits (default 3)
 */
template <class Unit>
std::string pretty(const quantity<Unit>& q, int significant = 3) {
    return detail::format_si(q.value(), detail::unit_symbol<Unit>::text, significant);
}

/// Prints bytes with binary prefixes: `64 GiB`.
inline std::string pretty_binary(bytes b, int significant = 3) {
    static constexpr const char* prefixes[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = b.value();
    int k = 0;
    double half_ulp = 0.5;
    for (int i = 0; i < significant - 4; ++i)
        half_ulp /= 10.0;
    for (int i = 0; i > significant - 4; --i)
        half_ulp *= 10.0;
    // switch prefix once the value would print as 1000 or more at `significant` digits
    const double upper = significant >= 4 ? 1024.0 - half_ulp : 1000.0 - half_ulp * 10.0;
    while ((v >= upper || v <= -upper) && k < 5) {
        v /= 1024.0;
        ++k;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g %s", significant, v, prefixes[k]);
    return buf;
}

/// The value of a dimensionless ratio of two quantities of the same unit.
template <class Unit>
constexpr double ratio(const quantity<Unit>& a, const quantity<Unit>& b) {
    return a.value() / b.value();
}

} // namespace moecost
