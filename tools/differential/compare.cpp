// tools/differential/compare.cpp: compares two dumps of tools/differential/dump.cpp line by line
// (scripts/differential runs it). Prints how many numbers were compared and either
// "identical" or the first differing lines, the count of differences and the largest relative
// difference. Exit status 0 when identical, 1 when not, 2 on a usage or read error.
//
//   compare OLD NEW [SHOWN]      SHOWN: differing lines to print (default 20)
//
// A dump is `case N description` lines, each followed by `key value` lines. Where the keys of
// two lines disagree (a case printed more or fewer lines, e.g. another violation count) both
// dumps skip to their next case line and go on from there, so one such case does not hide the
// rest.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

class line_reader {
public:
    explicit line_reader(const char* path) : f_(std::fopen(path, "rb")) {
        if (f_ != nullptr)
            std::setvbuf(f_, nullptr, _IOFBF, std::size_t{1} << 20);
    }
    line_reader(const line_reader&) = delete;
    line_reader& operator=(const line_reader&) = delete;
    line_reader(line_reader&&) = delete;
    line_reader& operator=(line_reader&&) = delete;
    ~line_reader() {
        if (f_ != nullptr)
            std::fclose(f_);
    }
    [[nodiscard]] bool open() const { return f_ != nullptr; }
    [[nodiscard]] bool failed() const { return f_ != nullptr && std::ferror(f_) != 0; }

    /// The next line without its newline; false at the end.
    bool next(std::string& out) {
        out.clear();
        char buf[4096];
        while (std::fgets(buf, sizeof buf, f_) != nullptr) {
            out += buf;
            if (!out.empty() && out.back() == '\n') {
                out.pop_back();
                ++line_;
                return true;
            }
        }
        if (out.empty())
            return false;
        ++line_;
        return true;
    }
    [[nodiscard]] long long line() const { return line_; }

private:
    std::FILE* f_;
    long long line_ = 0;
};

bool is_case(std::string_view s) {
    return s.starts_with("case ");
}

std::string_view key_of(std::string_view s) {
    return s.substr(0, s.find(' '));
}

std::string_view value_of(std::string_view s) {
    const auto at = s.find(' ');
    return at == std::string_view::npos ? std::string_view{} : s.substr(at + 1);
}

/// The value as a double, if the whole of it is one.
bool number(std::string_view v, double& out) {
    if (v.empty() || v.size() > 64)
        return false;
    char buf[72];
    v.copy(buf, v.size());
    buf[v.size()] = '\0';
    char* end = nullptr;
    out = std::strtod(buf, &end);
    return end == buf + v.size();
}

/// |a − b| relative to the larger magnitude; infinite where only one is NaN or infinite.
double relative(double a, double b) {
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b) ? 0.0 : INFINITY;
    if (a == b)
        return 0.0; // also 0 and −0, and equal infinities
    if (std::isinf(a) || std::isinf(b))
        return INFINITY;
    const double scale = std::fmax(std::fabs(a), std::fabs(b));
    return std::fabs(a - b) / scale;
}

struct tally {
    long long numbers = 0;      ///< numbers compared (present in both, under the same key)
    long long lines = 0;        ///< line pairs compared
    long long number_diffs = 0; ///< numbers that differ
    long long text_diffs = 0;   ///< text values (names, messages) that differ
    long long cases_misaligned = 0;
    long long cases = 0;
    double max_rel = 0;
    std::string max_rel_where;
    bool ends_differ = false;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: compare OLD NEW [SHOWN]\n");
        return 2;
    }
    const long shown_max = argc == 4 ? std::strtol(argv[3], nullptr, 10) : 20;
    line_reader a(argv[1]), b(argv[2]);
    if (!a.open() || !b.open()) {
        std::fprintf(stderr, "compare: cannot read %s\n", !a.open() ? argv[1] : argv[2]);
        return 2;
    }
    tally t;
    std::string la, lb, case_a = "(before the first case)", case_shown;
    std::map<std::string, long long, std::less<>> by_key; // differences under each key
    long shown = 0;
    // Prints a difference: the case line once, then the number's change or both lines.
    auto show = [&](const char* what, double rel = -1) {
        if (shown++ == 0)
            std::printf("first differences (old -> new):\n");
        if (shown > shown_max)
            return;
        if (case_a != case_shown) {
            std::printf("%s\n", case_a.c_str());
            case_shown = case_a;
        }
        if (rel >= 0)
            std::printf("  line %lld: %s -> %s (relative %.3g)\n", a.line(), la.c_str(),
                        std::string(value_of(lb)).c_str(), rel);
        else
            std::printf("  %s\n    old line %lld: %s\n    new line %lld: %s\n", what, a.line(),
                        la.c_str(), b.line(), lb.c_str());
    };
    for (;;) {
        const bool ga = a.next(la), gb = b.next(lb);
        if (!ga || !gb) {
            if (ga != gb) {
                t.ends_differ = true;
                if (!ga)
                    la = "(end of dump)";
                if (!gb)
                    lb = "(end of dump)";
                show("one dump ends first:");
            }
            break;
        }
        ++t.lines;
        if (is_case(la) && la == lb) {
            case_a = la;
            ++t.cases;
            continue;
        }
        const std::string_view ka = key_of(la), kb = key_of(lb);
        if (ka == kb && !is_case(la)) {
            double x = 0, y = 0;
            const std::string_view va = value_of(la), vb = value_of(lb);
            if (number(va, x) && number(vb, y)) {
                ++t.numbers;
                if (va != vb) {
                    ++t.number_diffs;
                    const double r = relative(x, y);
                    if (t.number_diffs == 1 || r > t.max_rel) {
                        t.max_rel = r;
                        t.max_rel_where = std::string(ka) + " in " + case_a;
                    }
                    ++by_key[std::string(ka)];
                    show("", r);
                }
            } else if (va != vb) {
                ++t.text_diffs;
                ++by_key[std::string(ka)];
                show("text differs:");
            }
            continue;
        }
        // Keys disagree, or the case lines do: resynchronise at both dumps' next case line.
        ++t.cases_misaligned;
        show("lines differ:");
        bool ea = true, eb = true;
        while (!is_case(la) && (ea = a.next(la))) {
        }
        while (!is_case(lb) && (eb = b.next(lb))) {
        }
        if (!ea || !eb) {
            t.ends_differ = t.ends_differ || ea != eb;
            break;
        }
        if (la != lb) {
            show("case lines differ, cannot go on:");
            t.ends_differ = true;
            break;
        }
        case_a = la;
        ++t.cases;
    }
    if (a.failed() || b.failed()) {
        std::fprintf(stderr, "compare: read error\n");
        return 2;
    }
    if (shown > shown_max)
        std::printf("  ... %ld more\n", shown - shown_max);
    const bool same =
        t.number_diffs == 0 && t.text_diffs == 0 && t.cases_misaligned == 0 && !t.ends_differ;
    std::printf("compared %lld numbers (%lld lines, %lld cases): ", t.numbers, t.lines, t.cases);
    if (same) {
        std::printf("identical\n");
        return 0;
    }
    std::printf("%lld differences\n", t.number_diffs + t.text_diffs + t.cases_misaligned);
    std::printf("  numbers that differ: %lld\n", t.number_diffs);
    if (t.number_diffs > 0)
        std::printf("  largest relative difference: %.3g (%s)\n", t.max_rel,
                    t.max_rel_where.c_str());
    std::printf("  texts that differ: %lld\n", t.text_diffs);
    if (!by_key.empty()) {
        std::vector<std::pair<long long, std::string>> keys;
        for (const auto& [k, n] : by_key)
            keys.emplace_back(n, k);
        std::sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) {
            return x.first != y.first ? x.first > y.first : x.second < y.second;
        });
        std::printf("  keys with the most differences:");
        for (std::size_t i = 0; i < keys.size() && i < 12; ++i)
            std::printf(" %s (%lld)", keys[i].second.c_str(), keys[i].first);
        std::printf("%s\n", keys.size() > 12 ? " ..." : "");
    }
    std::printf("  cases whose lines differ (not compared past the first): %lld\n",
                t.cases_misaligned);
    if (t.ends_differ)
        std::printf("  the dumps' sequences of cases differ: compared up to the first mismatch\n");
    return 1;
}
