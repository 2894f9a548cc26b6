#pragma once
/**
 * @file
 * A calibration file: a GPU family's calibration profile (spec/profile.hpp) and, optionally,
 * the links' efficiencies and latencies, as JSON. `moecost calibrate` writes one;
 * `--calibration FILE` on evaluate, search, train and dag reads one.
 *
 * The file holds every term of the profile, named, with the unit in the key where there is
 * one (fractions have none):
 *
 * @code{.json}
 * {
 *   "moecost_profile": 1,
 *   "name": "my-h100-cluster",
 *   "gemm": {
 *     "bf16": {"peak": 0.75, "half_rows": 0},
 *     "fp8":  {"peak": 0.6,  "half_rows": 64},
 *     "fp4":  {"peak": 0.75, "half_rows": 0},
 *     "int8": {"peak": 0.75, "half_rows": 0}
 *   },
 *   "attention_prefill": 0.75,
 *   "attention_prefill_half_keys": 300,
 *   "attention_decode": 0.85,
 *   "hbm": {"peak": 0.85, "half_bytes": 0},
 *   "kernel_overhead_s": 4e-6,
 *   "step_overhead_s": 0.002,
 *   "a2a_latency_s": 2e-5,
 *   "comm_overlap": 0.3,
 *   "unfused_elementwise": 1,
 *   "low_latency_decode_dispatch": true,
 *   "links": {
 *     "intra_node": {"efficiency": 0.8, "latency_s": 3e-6},
 *     "inter_node": {"efficiency": 0.8}
 *   }
 * }
 * @endcode
 *
 * - `moecost_profile` is the format's version (1); `name` (1 to 32 characters) is what the
 *   reports print as the profile in use.
 * - `gemm.F.peak`: the fraction of format F's dense peak FLOP/s large GEMMs reach;
 *   `gemm.F.half_rows`: the GEMM rows M (tokens; tokens per expert in a grouped expert GEMM)
 *   at which half of it is reached (0: the peak at every size).
 * - `attention_prefill`: the flash-attention-class prefill core's fraction of peak FLOP/s (its
 *   plateau); `attention_prefill_half_keys` (optional, 0 when left out, as in files written
 *   before it): the keys per query at which half of it is reached (0: the plateau at every
 *   length); `attention_decode`: decode attention's fraction of HBM bandwidth.
 * - `hbm.peak`, `hbm.half_bytes`: the fraction of HBM bandwidth large kernels reach, and the
 *   bytes one kernel moves at which half of it is reached.
 * - `kernel_overhead_s` (per kernel launched), `step_overhead_s` (per inference step),
 *   `a2a_latency_s` (per EP dispatch or combine): fixed costs in seconds, up to 1 (a step's 10).
 *   Each term's range is the library's (term_limits): fractions of a peak 0.001 to 1, halves
 *   up to 1e6 rows or keys and 1e12 bytes.
 * - `comm_overlap`: the share of communication hidden under compute, 0 to 1.
 * - `unfused_elementwise`: the share of the elementwise traffic (norms, activation functions,
 *   MoE permutation, casts) run as kernels of their own beside the GEMMs, 0 to 1.
 * - `low_latency_decode_dispatch` (true or false): decode's EP dispatch and combine across
 *   nodes send every (token, expert) copy over the NIC (DeepEP's low-latency kernels).
 * - `links` (optional, and each of its keys): the links' `efficiency` (the achieved fraction of
 *   their bandwidth in collectives, 0.001 to 1) and `latency_s` (per message, the α of every
 *   collective, 0 to 1 s). A link or key left out keeps the GPU preset's.
 *
 * Every profile key but the optional ones named above is required (a file is a whole profile,
 * not a patch on a preset's), a key
 * not listed here is refused (a misspelt term would otherwise be ignored), and so is a key
 * given twice. Every failure is a load_error whose what() is one line naming the file and
 * the key: `cal.json: key 'gemm.fp8.peak': expected a number in [0.001, 1], got 1.3`.
 */

#include <moecost/io/hf/reader.hpp>
#include <moecost/spec/hardware.hpp>
#include <moecost/spec/profile.hpp>
#include <moecost/spec/violation.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moecost::io {

/// The calibration file format's version, written as "moecost_profile".
inline constexpr int profile_format_version = 1;

/// A link's calibrated terms; each one absent keeps the cluster's own.
struct link_calibration {
    std::optional<double> efficiency; ///< achieved fraction of the bandwidth, [0.001, 1]
    std::optional<double> latency_s;  ///< per message (alpha), seconds
    friend bool operator==(const link_calibration&, const link_calibration&) = default;
};

/// What a calibration file holds: a profile, and the links' terms where it gives them.
struct calibration {
    perf_profile profile{};
    link_calibration intra_node{};
    link_calibration inter_node{};
    friend bool operator==(const calibration&, const calibration&) = default;
};

/// The cluster with the file's profile in place of its GPU's, and the links' terms it gives.
inline void apply_calibration(const calibration& cal, cluster_spec& c) {
    c.gpu.perf = cal.profile;
    const auto link = [](const link_calibration& from, link_spec& to) {
        if (from.efficiency)
            to.efficiency = *from.efficiency;
        if (from.latency_s)
            to.latency.value = *from.latency_s;
    };
    link(cal.intra_node, c.intra_node);
    link(cal.inter_node, c.inter_node);
}

namespace profile_keys {

/// The key of each GEMM format in the file, in gemm_format order.
inline constexpr std::array<const char*, gemm_format_count> formats{"bf16", "fp8", "fp4", "int8"};

/// The file's key for a field validate_into names ("profile.hbm.half" is "hbm.half_bytes").
inline std::string file_key(std::string_view field) {
    std::string k(field);
    if (k.rfind("profile.", 0) == 0)
        k.erase(0, 8);
    if (k.size() > 5 && k.compare(k.size() - 5, 5, ".half") == 0)
        k += k.rfind("gemm.", 0) == 0 ? "_rows" : "_bytes";
    else if (k == "kernel_overhead" || k == "step_overhead" || k == "a2a_latency")
        k += "_s";
    else if (k == "attention_prefill_half")
        k += "_keys";
    return k;
}

/// What a key in `range` must hold, for a message: "a number in [0.001, 1]", "[0, 1e+06]" (as
/// `moecost calibrate` prints its bounds).
inline std::string wanted(term_range range) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "a number in [%g, %g]", range.lo, range.hi);
    return buf;
}

} // namespace profile_keys

namespace profile_detail {

using json = nlohmann::json;

/// The calibration file's reader (and `moecost calibrate`'s, for its measurements): one
/// object at a dotted path, its keys checked, each failure a load_error naming the key.
class object_reader {
public:
    object_reader(const json& obj, std::string source, std::string path)
        : obj_(obj), source_(std::move(source)), path_(std::move(path)) {}

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        throw load_error(source_ + ": key '" + hf_reader::one_line(full(key), 80) + "': " + what);
    }

    /// Refuses any key not in `known`.
    void only(std::initializer_list<std::string_view> known) const {
        for (auto it = obj_.begin(); it != obj_.end(); ++it) {
            bool ok = false;
            for (const std::string_view k : known)
                ok = ok || it.key() == k;
            if (!ok) {
                std::string list;
                for (const std::string_view k : known)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                fail(it.key(), "unknown key (expected " + list + ")");
            }
        }
    }
    [[nodiscard]] const json* find(std::string_view key) const {
        const auto it = obj_.find(std::string(key));
        return it == obj_.end() ? nullptr : &*it;
    }
    [[nodiscard]] const json& required(std::string_view key) const {
        const json* v = find(key);
        if (v == nullptr)
            fail(key, "required but missing");
        return *v;
    }
    /// The object at key (required, or nullptr when optional and absent).
    [[nodiscard]] object_reader object(std::string_view key) const {
        const json& v = required(key);
        if (!v.is_object())
            fail(key, "expected an object, got " + hf_reader::shown(v));
        return {v, source_, full(key)};
    }
    [[nodiscard]] std::optional<object_reader> optional_object(std::string_view key) const {
        if (find(key) == nullptr)
            return std::nullopt;
        return object(key);
    }
    /// A finite number (JSON has no other kind).
    [[nodiscard]] double number(std::string_view key) const {
        const json& v = required(key);
        if (!v.is_number())
            fail(key, "expected a number, got " + hf_reader::shown(v));
        return v.get<double>();
    }
    [[nodiscard]] std::optional<double> optional_number(std::string_view key) const {
        if (find(key) == nullptr)
            return std::nullopt;
        return number(key);
    }
    [[nodiscard]] bool boolean(std::string_view key) const {
        const json& v = required(key);
        if (!v.is_boolean())
            fail(key, "expected true or false, got " + hf_reader::shown(v));
        return v.get<bool>();
    }
    [[nodiscard]] std::string text(std::string_view key) const {
        const json& v = required(key);
        if (!v.is_string())
            fail(key, "expected a string, got " + hf_reader::shown(v));
        return v.get<std::string>();
    }
    [[nodiscard]] std::optional<std::string> optional_text(std::string_view key) const {
        if (find(key) == nullptr)
            return std::nullopt;
        return text(key);
    }
    [[nodiscard]] std::optional<bool> optional_flag(std::string_view key) const {
        const json* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        if (!v->is_boolean())
            fail(key, "expected true or false, got " + hf_reader::shown(*v));
        return v->get<bool>();
    }
    /// An integer in [lo, hi] (4096.0 reads as 4096), or nullopt when absent.
    [[nodiscard]] std::optional<long long> optional_integer(std::string_view key, long long lo,
                                                            long long hi) const {
        const json* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        const double x = v->is_number() ? v->get<double>() : std::nan("");
        if (!(x >= static_cast<double>(lo) && x <= static_cast<double>(hi)) || x != std::floor(x))
            fail(key, "expected an integer from " + std::to_string(lo) + " to " +
                          std::to_string(hi) + ", got " + hf_reader::shown(*v));
        return static_cast<long long>(x);
    }
    /// The JSON value itself: an object's keys the caller walks.
    [[nodiscard]] const json& value() const { return obj_; }
    [[nodiscard]] std::string full(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }
    [[nodiscard]] const std::string& source() const { return source_; }

private:
    const json& obj_;
    std::string source_;
    std::string path_;
};

inline link_calibration read_link(const object_reader& r, std::string_view key) {
    link_calibration out;
    const auto o = r.optional_object(key);
    if (!o)
        return out;
    o->only({"efficiency", "latency_s"});
    out.efficiency = o->optional_number("efficiency");
    out.latency_s = o->optional_number("latency_s");
    // the ranges are the library's own (validate_into of a cluster_spec)
    constexpr term_range eff = term_limits::fraction::range,
                         latency = term_limits::fixed_cost::range;
    if (out.efficiency && !eff.holds(*out.efficiency))
        o->fail("efficiency",
                "expected " + profile_keys::wanted(eff) + ", got " + number_text(*out.efficiency));
    if (out.latency_s && !latency.holds(*out.latency_s))
        o->fail("latency_s", "expected " + profile_keys::wanted(latency) + ", got " +
                                 number_text(*out.latency_s));
    return out;
}

} // namespace profile_detail

/// The calibration in `text`; `source` names it in messages. Throws load_error.
inline calibration parse_calibration(std::string_view text, const std::string& source) {
    using profile_detail::json;
    const json doc = hf_reader::parse_json(text, source);
    if (!doc.is_object())
        throw load_error(source + ": expected a JSON object (a calibration profile), got " +
                         hf_reader::shown(doc));
    const profile_detail::object_reader r(doc, source, "");
    r.only({"moecost_profile", "name", "gemm", "attention_prefill", "attention_prefill_half_keys",
            "attention_decode", "hbm", "kernel_overhead_s", "step_overhead_s", "a2a_latency_s",
            "comm_overlap", "unfused_elementwise", "low_latency_decode_dispatch", "links"});
    if (const json& v = r.required("moecost_profile");
        !(v.is_number_integer() && v.get<long long>() == profile_format_version))
        r.fail("moecost_profile", "expected " + std::to_string(profile_format_version) +
                                      " (the format's version), got " + hf_reader::shown(v));
    calibration out;
    perf_profile& p = out.profile;
    const std::string name = r.text("name");
    if (name.empty() || name.size() > 32)
        r.fail("name", "expected 1 to 32 characters, got " + std::to_string(name.size()));
    p.name = std::string_view(name);

    const auto gemm = r.object("gemm");
    gemm.only({"bf16", "fp8", "fp4", "int8"});
    for (std::size_t f = 0; f < gemm_format_count; ++f) {
        const auto g = gemm.object(profile_keys::formats[f]);
        g.only({"peak", "half_rows"});
        p.gemm[f] = {.peak = g.number("peak"), .half = g.number("half_rows")};
    }
    p.attention_prefill = r.number("attention_prefill");
    p.attention_prefill_half = r.optional_number("attention_prefill_half_keys").value_or(0.0);
    p.attention_decode = r.number("attention_decode");
    const auto hbm = r.object("hbm");
    hbm.only({"peak", "half_bytes"});
    p.hbm = {.peak = hbm.number("peak"), .half = hbm.number("half_bytes")};
    p.kernel_overhead.value = r.number("kernel_overhead_s");
    p.step_overhead.value = r.number("step_overhead_s");
    p.a2a_latency.value = r.number("a2a_latency_s");
    p.comm_overlap = r.number("comm_overlap");
    p.unfused_elementwise = r.number("unfused_elementwise");
    p.low_latency_decode_dispatch = r.boolean("low_latency_decode_dispatch");

    // The ranges are the library's own (validate_into); the message names the file's key.
    for_each_profile_term(p, [&r](const char* field, double x, auto lim) {
        constexpr term_range range = decltype(lim)::range;
        if (!range.holds(x))
            r.fail(profile_keys::file_key(field),
                   "expected " + profile_keys::wanted(range) + ", got " + number_text(x));
    });
    if (const auto links = r.optional_object("links")) {
        links->only({"intra_node", "inter_node"});
        out.intra_node = profile_detail::read_link(*links, "intra_node");
        out.inter_node = profile_detail::read_link(*links, "inter_node");
    }
    return out;
}

/// The calibration in the file at path. Throws load_error naming the file.
inline calibration load_calibration(const std::filesystem::path& path) {
    const std::string source = path.string();
    return parse_calibration(hf_reader::read_file(path, source), source);
}

/// The calibration as the file holds it (keys in the order the file format lists them).
inline nlohmann::ordered_json calibration_json(const calibration& cal) {
    using ojson = nlohmann::ordered_json;
    const perf_profile& p = cal.profile;
    ojson gemm = ojson::object();
    for (std::size_t f = 0; f < gemm_format_count; ++f)
        gemm[profile_keys::formats[f]] = {{"peak", p.gemm[f].peak}, {"half_rows", p.gemm[f].half}};
    ojson j = ojson::object();
    j["moecost_profile"] = profile_format_version;
    j["name"] = std::string(p.name.view());
    j["gemm"] = gemm;
    j["attention_prefill"] = p.attention_prefill;
    j["attention_prefill_half_keys"] = p.attention_prefill_half;
    j["attention_decode"] = p.attention_decode;
    j["hbm"] = {{"peak", p.hbm.peak}, {"half_bytes", p.hbm.half}};
    j["kernel_overhead_s"] = p.kernel_overhead.value;
    j["step_overhead_s"] = p.step_overhead.value;
    j["a2a_latency_s"] = p.a2a_latency.value;
    j["comm_overlap"] = p.comm_overlap;
    j["unfused_elementwise"] = p.unfused_elementwise;
    j["low_latency_decode_dispatch"] = p.low_latency_decode_dispatch;
    ojson links = ojson::object();
    const auto link = [&links](const char* key, const link_calibration& l) {
        ojson o = ojson::object();
        if (l.efficiency)
            o["efficiency"] = *l.efficiency;
        if (l.latency_s)
            o["latency_s"] = *l.latency_s;
        if (!o.empty())
            links[key] = o;
    };
    link("intra_node", cal.intra_node);
    link("inter_node", cal.inter_node);
    if (!links.empty())
        j["links"] = links;
    return j;
}

/// The file's text: calibration_json, indented, with a final newline.
inline std::string calibration_text(const calibration& cal) {
    return calibration_json(cal).dump(2) + "\n";
}

} // namespace moecost::io
