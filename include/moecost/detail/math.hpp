#pragma once
// Elementary functions usable in constant expressions, and the small arithmetic helpers
// every layer shares (ceil_div, int_pow, nonneg_sqrt, dmin, dmax): <cmath> is not constexpr on clang 14
// (docs/compilers.md). Accurate to a few units in the last place over the ranges moecost uses.

namespace moecost::detail {

// ln 2 split for exact range reduction (Cody and Waite): the high part has trailing zero bits,
// so j·ln2_hi is exact for |j| < 2^20.
inline constexpr double ln2_hi = 0.693147180369123816490;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;

/// Natural logarithm of x > 0 (0 for x <= 0): x = m·2^e with m in [1/√2, √2), then
/// ln m = 2·atanh((m − 1)/(m + 1)) by its series, |(m − 1)/(m + 1)| < 0.172.
constexpr double natural_log(double x) {
    if (!(x > 0))
        return 0.0;
    if (x > 1.7976931348623157e308) // +inf: no finite scaling ends
        return x;
    int e = 0;
    while (x >= 1.4142135623730951) { // scaling by 2 is exact
        x *= 0.5;
        ++e;
    }
    while (x < 0.7071067811865476) {
        x *= 2.0;
        --e;
    }
    const double z = (x - 1.0) / (x + 1.0), z2 = z * z;
    double sum = 0.0, power = z;
    for (int i = 1; i < 40; i += 2) { // 0.172^41 / 41 is far below 2^-53
        sum += power / i;
        power *= z2;
    }
    return 2.0 * sum + e * ln2_hi + e * ln2_lo;
}

/// e^y: y = j·ln 2 + r with |r| <= ln 2 / 2, the Taylor series of e^r, then 2^j.
constexpr double natural_exp(double y) {
    if (y != y) // NaN: as std::exp, without converting it to an integer below
        return y;
    if (y < -745.0)
        return 0.0;
    if (y > 709.0) // the largest finite power: no overflow in a constant expression
        y = 709.0;
    const double jd = y / (ln2_hi + ln2_lo);
    const long long j = static_cast<long long>(jd < 0 ? jd - 0.5 : jd + 0.5);
    const double r = (y - static_cast<double>(j) * ln2_hi) - static_cast<double>(j) * ln2_lo;
    double sum = 1.0, term = 1.0;
    for (int i = 1; i < 24; ++i) { // 0.347^24 / 24! is far below 2^-53
        term *= r / i;
        sum += term;
    }
    for (long long i = 0; i < j; ++i)
        sum *= 2.0;
    for (long long i = 0; i > j; --i)
        sum *= 0.5;
    return sum;
}

constexpr double ceil_div(double a, double b) {
    const double q = a / b;
    const auto i = static_cast<long long>(q);
    return static_cast<double>(i) < q ? static_cast<double>(i + 1) : static_cast<double>(i);
}
constexpr double int_pow(double x, int n) {
    double r = 1.0;
    for (int i = 0; i < n; ++i)
        r *= x;
    return r;
}
/// √x for x >= 0 by Newton's iteration from above (<cmath> is not constexpr on clang 14).
constexpr double nonneg_sqrt(double x) {
    if (!(x > 0))
        return 0.0;
    double r = x > 1 ? x : 1.0;
    for (int i = 0; i < 200; ++i) {
        const double next = 0.5 * (r + x / r);
        if (!(next < r))
            break;
        r = next;
    }
    return r;
}

constexpr double dmin(double a, double b) {
    return a < b ? a : b;
}
constexpr double dmax(double a, double b) {
    return a > b ? a : b;
}

} // namespace moecost::detail
