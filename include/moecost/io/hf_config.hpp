#pragma once
/**
 * @file
 * Hugging Face `config.json` → moecost::model_spec.
 *
 * The family is found from `model_type` (then `architectures`); each family has a table of
 * the keys holding its core dimensions and one function for what is particular to it.
 * Unknown families are read through the common Llama-style keys, and the result says so. A
 * multimodal config without dimensions of its own is read from its `text_config`.
 *
 * @code
 * auto r = moecost::io::load_hf_config_detailed("Mixtral-8x7B-v0.1/config.json");
 * for (const auto& n : r.notes) std::cerr << "note: " << n << '\n';
 * auto params = moecost::total_params(r.spec).total();
 * @endcode
 *
 * Every failure is a load_error whose what() is one line naming the source and, where there
 * is one, the key: `config.json: key 'num_attention_heads': expected a positive integer, got -4`.
 * A required key is never defaulted. Where Hugging Face's own default differs from the
 * obvious reading (DeepSeek's q_lora_rank and first_k_dense_replace, Qwen3's and gpt-oss's
 * head_dim), the key is required.
 *
 * This header gathers the reader's parts, one idea each:
 * - `<moecost/io/hf/reader.hpp>`: the file, the JSON (a key given twice is refused), typed
 *   and bounded key access, load_error and its one-line messages;
 * - `<moecost/io/hf/quantisation.hpp>`: torch_dtype and quantization_config;
 * - `<moecost/io/hf/sliding.hpp>`: sliding-window layer plans;
 * - `<moecost/io/hf/families.hpp>`: the family table and each family's particulars, hf_options;
 * - `<moecost/io/hf/load.hpp>`: parse_hf_config, load_hf_config and their `_detailed` forms.
 */

#include <moecost/io/hf/families.hpp>
#include <moecost/io/hf/load.hpp>
#include <moecost/io/hf/quantisation.hpp>
#include <moecost/io/hf/reader.hpp>
#include <moecost/io/hf/sliding.hpp>
