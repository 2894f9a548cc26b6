#pragma once
/**
 * @file
 * A Hugging Face `config.json`'s sliding-window layers: `sliding_window`, `layer_types`,
 * Qwen's `use_sliding_window` and `max_window_layers`, gpt-oss's alternation, held as one
 * sliding_window_spec {window, every, offset}, or noted when no such pattern holds them.
 *
 * The entry point is moecost::io::hf_sliding::read_sliding, with the window_rule a family
 * places its windows by.
 */

#include <moecost/io/hf/reader.hpp>
#include <moecost/spec/model.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace moecost::io {

/// The sliding-window readers of `<moecost/io/hf/sliding.hpp>`. Not for use outside
/// moecost::io.
namespace hf_sliding {

using hf_reader::json;
using hf_reader::reader;
using hf_reader::shown;
using hf_reader::sign;
using hf_reader::window_size;

/// How a family places its sliding-window layers.
enum class window_rule {
    none,        ///< the family has none; sliding_window is not read
    every_layer, ///< sliding_window applies to every layer (Mistral, Mixtral)
    qwen,        ///< only with use_sliding_window, on layers i >= max_window_layers
    alternate,   ///< even layers slide, odd ones see everything (gpt-oss)
    guess,       ///< qwen when use_sliding_window is present, else every_layer
};

/// `layer_types`, when present: which layers are "sliding_attention".
inline std::optional<std::vector<bool>> read_layer_types(reader& r, int layers) {
    const json* list = r.array("layer_types");
    if (list == nullptr)
        return std::nullopt;
    if (list->size() != static_cast<std::size_t>(layers))
        r.fail("layer_types", "lists " + std::to_string(list->size()) + " layers, but there are " +
                                  std::to_string(layers));
    std::vector<bool> sliding;
    bool noted = false;
    for (const auto& v : *list) {
        if (!v.is_string())
            r.fail("layer_types", "expected strings, got " + shown(v));
        const auto& s = v.get_ref<const std::string&>();
        sliding.push_back(s == "sliding_attention");
        if (s != "sliding_attention" && s != "full_attention" && !noted) {
            r.note("layer_types '" + s + "' is read as full attention");
            noted = true;
        }
    }
    return sliding;
}

/// The spec's {window, every, offset} holding exactly these sliding layers, if one does.
inline std::optional<sliding_window_spec> as_pattern(const std::vector<bool>& sliding, int window) {
    const int n = static_cast<int>(sliding.size());
    int first = 0;
    while (first < n && !sliding[static_cast<std::size_t>(first)])
        ++first;
    if (first == n)
        return sliding_window_spec{};
    for (int every = first + 1; every <= n; ++every) {
        bool same = true;
        for (int i = 0; i < n && same; ++i)
            same = sliding[static_cast<std::size_t>(i)] == (i % every == first);
        if (same)
            return sliding_window_spec{.window = window, .every = every, .offset = first};
    }
    return std::nullopt;
}

inline void read_sliding(reader& r, model_spec& m, window_rule rule) {
    if (rule == window_rule::none)
        return;
    if (rule == window_rule::guess)
        rule = r.present("use_sliding_window") ? window_rule::qwen : window_rule::every_layer;
    const auto types = read_layer_types(r, m.layers);
    int window = r.optional("sliding_window", 0, sign::non_negative, window_size);
    const auto n = static_cast<std::size_t>(m.layers);
    std::vector<bool> sliding(n, false);
    switch (rule) {
    case window_rule::every_layer:
        sliding.assign(n, true);
        break;
    case window_rule::qwen:
        // Qwen2Config: sliding_window is None unless use_sliding_window.
        if (!r.flag("use_sliding_window", false)) {
            window = 0;
        } else if (!types) {
            const int from = r.required("max_window_layers", sign::non_negative);
            for (std::size_t i = 0; i < n; ++i)
                sliding[i] = static_cast<int>(i) >= from;
        }
        break;
    case window_rule::alternate:
        window = r.required("sliding_window", sign::positive, window_size);
        for (std::size_t i = 0; i < n; ++i)
            sliding[i] = i % 2 == 0;
        if (types && *types != sliding)
            r.note("layer_types does not alternate sliding and full attention as gpt-oss does; "
                   "layer_types is followed");
        break;
    case window_rule::none:
    case window_rule::guess:
        break;
    }
    if (types)
        sliding = *types;
    bool any = false;
    for (const bool s : sliding)
        any = any || s;
    if (!any)
        return;
    if (window == 0) {
        if (types && rule != window_rule::qwen)
            r.note("layer_types marks sliding layers but there is no sliding_window; read as "
                   "full attention");
        return;
    }
    if (const auto p = as_pattern(sliding, window)) {
        m.attention.sliding = *p;
    } else {
        r.note("the sliding-window layers do not repeat with one period, which model_spec "
               "cannot hold; all layers read as full attention (KV cache over-estimated)");
    }
}

} // namespace hf_sliding
} // namespace moecost::io
