// libFuzzer target for the Hugging Face config.json loader.
//
// The contract under test: parse_hf_config either returns a spec that validate() accepts or
// throws load_error with a one-line message. Any other exception escaping, a crash, a
// sanitizer report, a multi-line message, or the loader's "unexpected JSON error" safety net
// firing (a key read without its type checked first) is a bug.
//
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I include \
//       fuzz/hf_config_fuzz.cpp -o /tmp/hf_config_fuzz
//   cp -r fuzz/corpus/hf_config_fuzz /tmp/corpus && /tmp/hf_config_fuzz /tmp/corpus

#include <moecost/io/hf_config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const bool mtp : {false, true}) {
        try {
            const auto result =
                moecost::io::parse_hf_config_detailed(text, "fuzz.json", {.include_mtp = mtp});
            if (!moecost::validate(result.spec).ok())
                std::abort();
            for (const auto& note : result.notes)
                if (note.find('\n') != std::string::npos)
                    std::abort();
        } catch (const moecost::io::load_error& e) {
            const std::string_view message = e.what();
            if (message.find('\n') != std::string_view::npos)
                std::abort();
            // By prefix: parse errors quote the input, which may contain these words.
            if (message.starts_with("fuzz.json: unexpected JSON error"))
                std::abort();
        }
    }
    return 0;
}
