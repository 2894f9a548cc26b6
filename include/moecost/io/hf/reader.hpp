#pragma once
/**
 * @file
 * Reading a Hugging Face `config.json`: its text (from a file of at most 16 MiB), its JSON
 * (refused when an object gives a key twice), and its keys, each type- and range-checked.
 *
 * Every failure is a load_error whose what() is one line naming the source and, where there
 * is one, the key: `config.json: key 'num_attention_heads': expected a positive integer, got -4`.
 *
 * The pieces the other `<moecost/io/hf/...>` headers share are in moecost::io::hf_reader:
 * the message helpers (one_line, shown), the bounds a key's value is held to, the `reader`
 * of one config object, parse_json and read_file.
 */

#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace moecost::io {

/// A config that cannot be read: one line naming the source and the key at fault.
struct load_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// How a config.json is read, shared by the `<moecost/io/hf/...>` headers: messages, bounds,
/// the key reader, JSON parsing and file reading. Not for use outside moecost::io.
namespace hf_reader {

using json = nlohmann::json;

// ---- messages --------------------------------------------------------------------------

/// s with control characters escaped and cut at `limit` bytes: keeps a message on one line.
inline std::string one_line(std::string_view s, std::size_t limit = 200) {
    std::string out;
    for (const char ch : s) {
        if (out.size() >= limit) {
            // Do not end inside a UTF-8 sequence.
            while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0u) == 0x80u)
                out.pop_back();
            if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80u))
                out.pop_back();
            return out + "...";
        }
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += ch;
        }
    }
    return out;
}

/// How a JSON value reads in a message: its text when scalar, its kind when not (dumping a
/// container would recurse and could be long).
inline std::string shown(const json& v) {
    switch (v.type()) {
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::binary:
        return "binary data";
    case json::value_t::discarded:
        return "nothing";
    default:
        return one_line(v.dump(-1, ' ', false, json::error_handler_t::replace), 80);
    }
}

// ---- bounds ----------------------------------------------------------------------------

/// The largest value a key may hold, and why.
struct bound {
    std::int64_t max;
    const char* why;
};
/// 2^24: above any real dimension (vocabularies reach 2^18), and small enough that the
/// products other code forms in `int` (4·hidden, heads·head_dim) cannot overflow.
inline constexpr bound dimension{std::int64_t{1} << 24, "the largest dimension moecost accepts"};
/// moe_spec::dense_mask has 256 bits, and validate() holds layers to 256.
inline constexpr bound layer_count{256, "the most layers a model_spec holds"};
inline constexpr bound window_size{std::int64_t{1} << 30,
                                   "the largest sliding window moecost accepts"};

enum class sign { positive, non_negative };

// ---- reading keys ----------------------------------------------------------------------

/// A config object with its source name, and the notes the loader collects.
class reader {
public:
    reader(const json& object, std::string source, std::vector<std::string>& notes)
        : obj_(object), source_(std::move(source)), notes_(notes) {}

    [[noreturn]] void fail(std::string_view key, const std::string& what) const {
        throw load_error(source_ + ": key '" + one_line(key, 80) + "': " + what);
    }
    void note(const std::string& text) { notes_.push_back(one_line(text, 300)); }

    /// Whether the key is there at all, null included.
    [[nodiscard]] bool present(std::string_view key) const {
        return obj_.find(std::string(key)) != obj_.end();
    }
    /// The value of key, or nullptr when absent or null (Hugging Face writes null for unset).
    [[nodiscard]] const json* find(std::string_view key) const {
        const auto it = obj_.find(std::string(key));
        if (it == obj_.end() || it->is_null())
            return nullptr;
        return &*it;
    }

    /// An integer in [0 or 1, limit.max], or nullopt when absent or null. 4096.0 reads as
    /// 4096; 4096.5, strings and booleans are errors.
    [[nodiscard]] std::optional<int> integer(std::string_view key, sign s = sign::positive,
                                             bound limit = dimension) const {
        const json* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        const std::string want =
            s == sign::positive ? "expected a positive integer" : "expected an integer >= 0";
        double value = 0; // exact for every integer this function accepts (|v| <= 2^30)
        if (v->is_number_unsigned()) {
            const auto u = v->get<std::uint64_t>();
            value = u > static_cast<std::uint64_t>(limit.max) ? 1e300 : static_cast<double>(u);
        } else if (v->is_number_integer()) {
            const auto i = v->get<std::int64_t>();
            value = i < -limit.max ? -1e300 : static_cast<double>(i);
        } else if (v->is_number_float()) {
            value = v->get<double>();
            if (!std::isfinite(value) || value != std::floor(value))
                fail(key, want + ", got " + shown(*v));
        } else {
            fail(key, want + ", got " + shown(*v));
        }
        if (value < 0 || (s == sign::positive && value == 0))
            fail(key, want + ", got " + shown(*v));
        if (value > static_cast<double>(limit.max))
            fail(key, shown(*v) + " exceeds " + std::to_string(limit.max) + ", " + limit.why);
        return static_cast<int>(value);
    }
    [[nodiscard]] int required(std::string_view key, sign s = sign::positive,
                               bound limit = dimension) const {
        if (!present(key))
            fail(key, "required but missing");
        const auto v = integer(key, s, limit);
        if (!v)
            fail(key, std::string(s == sign::positive ? "expected a positive integer"
                                                      : "expected an integer >= 0") +
                          ", got null");
        return *v;
    }
    /// A key that must be there but whose null means 0 (DeepSeek's q_lora_rank).
    [[nodiscard]] int required_or_null(std::string_view key, const char* null_means) const {
        if (!present(key))
            fail(key, std::string("required but missing (null means ") + null_means + ")");
        return integer(key, sign::non_negative).value_or(0);
    }
    [[nodiscard]] int optional(std::string_view key, int fallback, sign s = sign::positive,
                               bound limit = dimension) const {
        return integer(key, s, limit).value_or(fallback);
    }
    [[nodiscard]] bool flag(std::string_view key, bool fallback) const {
        const json* v = find(key);
        if (v == nullptr)
            return fallback;
        if (!v->is_boolean())
            fail(key, "expected true or false, got " + shown(*v));
        return v->get<bool>();
    }
    [[nodiscard]] std::optional<std::string> text(std::string_view key) const {
        const json* v = find(key);
        if (v == nullptr)
            return std::nullopt;
        if (!v->is_string())
            fail(key, "expected a string, got " + shown(*v));
        return v->get<std::string>();
    }
    /// The array at key, or nullptr when absent or null.
    [[nodiscard]] const json* array(std::string_view key) const {
        const json* v = find(key);
        if (v != nullptr && !v->is_array())
            fail(key, "expected an array, got " + shown(*v));
        return v;
    }

private:
    const json& obj_;
    std::string source_;
    std::vector<std::string>& notes_;
};

/// Names a value may go by; the first present is read (and named in messages).
using key_list = std::array<std::string_view, 3>;

inline std::string_view pick(const reader& r, const key_list& names) {
    for (const auto& n : names)
        if (!n.empty() && r.present(n))
            return n;
    return names[0];
}

// ---- parsing ---------------------------------------------------------------------------

/// Where the parser is, to name a key that one object gives twice. JSON leaves a repeated
/// key's meaning open (RFC 8259 section 4); nlohmann and Python's json keep the last, so one
/// of the two values would be read without a word. Fed nlohmann's parse events.
class duplicate_keys {
public:
    explicit duplicate_keys(const std::string& source) : source_(source) {}

    /// A parser_callback_t's body: follows the nesting, throws load_error on a repeated key.
    bool operator()(json::parse_event_t event, const json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            frames_.push_back({.array = false, .index = 0, .last = nullptr});
            keys_.emplace_back();
            break;
        case json::parse_event_t::array_start:
            frames_.push_back({.array = true, .index = 0, .last = nullptr});
            break;
        case json::parse_event_t::key: {
            const auto [it, fresh] = keys_.back().insert(parsed.get<std::string>());
            if (!fresh)
                throw load_error(source_ + ": key '" + one_line(path(*it)) + "' appears twice");
            frames_.back().last = &*it;
            break;
        }
        case json::parse_event_t::object_end:
            keys_.pop_back();
            frames_.pop_back();
            element_done();
            break;
        case json::parse_event_t::array_end:
            frames_.pop_back();
            element_done();
            break;
        case json::parse_event_t::value:
            element_done();
            break;
        }
        return true;
    }

private:
    struct frame {
        bool array;
        std::size_t index;       ///< an array's: the element being read
        const std::string* last; ///< an object's: the key being read
    };

    void element_done() {
        if (!frames_.empty() && frames_.back().array)
            ++frames_.back().index;
    }
    /// `key` inside the objects and arrays open now: `text_config.hidden_size`, `a[2].b`.
    [[nodiscard]] std::string path(const std::string& key) const {
        std::string out;
        for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
            const frame& f = frames_[i];
            if (f.array)
                out += "[" + std::to_string(f.index) + "]";
            else
                out += (out.empty() ? "" : ".") + *f.last;
        }
        return out + (out.empty() ? "" : ".") + key;
    }

    std::string source_;
    std::vector<frame> frames_;
    std::vector<std::set<std::string>> keys_; ///< one set per open object
};

/// The JSON of a config's text; not JSON, or an object with a key given twice, is a load_error.
inline json parse_json(std::string_view text, const std::string& source) {
    duplicate_keys check(source);
    const json::parser_callback_t callback = [&check](int /*depth*/, json::parse_event_t event,
                                                      json& parsed) {
        return check(event, parsed);
    };
    try {
        return json::parse(text.data(), text.data() + text.size(), callback);
    } catch (const json::parse_error& e) {
        throw load_error(source + ": not valid JSON (byte " + std::to_string(e.byte) +
                         "): " + one_line(e.what()));
    } catch (const json::exception& e) { // out_of_range: a number beyond double
        throw load_error(source + ": not valid JSON: " + one_line(e.what()));
    }
}

// ---- files -----------------------------------------------------------------------------

/// Larger than any config.json by three orders of magnitude.
inline constexpr std::size_t max_file_bytes = std::size_t{16} << 20;

/// The text of the file at path; `source` names it in messages.
inline std::string read_file(const std::filesystem::path& path, const std::string& source) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        throw load_error(source + ": cannot open for reading" +
                         (err != 0 ? " (" + std::generic_category().message(err) + ")" : ""));
    }
    std::string text;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_file_bytes)
            throw load_error(source + ": larger than 16 MiB; not a config.json");
    }
    if (in.bad())
        throw load_error(source + ": read error");
    return text;
}

} // namespace hf_reader
} // namespace moecost::io
