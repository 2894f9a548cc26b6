// Calibration files (io/profile_json.hpp): a profile and the links' terms written and read
// back unchanged, applied to a cluster, and every way a file can be wrong refused with one
// line naming the file and the key.

#include <moecost/io/profile_json.hpp>
#include <moecost/presets/hardware.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

using moecost::gemm_format;
using moecost::io::calibration;
using moecost::io::load_error;
using moecost::io::parse_calibration;
using json = nlohmann::json;

/// A calibration whose every term differs from every other and from its default.
calibration distinct() {
    calibration c;
    moecost::perf_profile& p = c.profile;
    p.name = "test-cluster";
    p.gemm[0] = {.peak = 0.71, .half = 12.5};
    p.gemm[1] = {.peak = 0.52, .half = 96};
    p.gemm[2] = {.peak = 0.43, .half = 128};
    p.gemm[3] = {.peak = 0.64, .half = 7};
    p.attention_prefill = 0.61;
    p.attention_prefill_half = 275;
    p.attention_decode = 0.77;
    p.hbm = {.peak = 0.83, .half = 3.5e6};
    p.kernel_overhead.value = 4.25e-6;
    p.step_overhead.value = 1.75e-3;
    p.a2a_latency.value = 2.2e-5;
    p.comm_overlap = 0.35;
    p.unfused_elementwise = 0.55;
    p.low_latency_decode_dispatch = true;
    c.intra_node = {.efficiency = 0.78, .latency_s = 2.5e-6};
    c.inter_node = {.efficiency = 0.66, .latency_s = std::nullopt};
    return c;
}

/// A whole, valid file's JSON, written out by hand (not by the code under test).
json valid_file() {
    return json::parse(R"({
      "moecost_profile": 1,
      "name": "by-hand",
      "gemm": {
        "bf16": {"peak": 0.8, "half_rows": 0},
        "fp8": {"peak": 0.6, "half_rows": 64},
        "fp4": {"peak": 0.5, "half_rows": 0},
        "int8": {"peak": 0.7, "half_rows": 0}
      },
      "attention_prefill": 0.65,
      "attention_decode": 0.9,
      "hbm": {"peak": 0.85, "half_bytes": 1000000},
      "kernel_overhead_s": 5e-6,
      "step_overhead_s": 0.002,
      "a2a_latency_s": 1e-5,
      "comm_overlap": 0.25,
      "unfused_elementwise": 0.5,
      "low_latency_decode_dispatch": true
    })");
}

calibration parse(const json& j) {
    return parse_calibration(j.dump(), "cal.json");
}

/// The message parsing `j` fails with.
std::string error_of(const json& j) {
    try {
        (void)parse(j);
    } catch (const load_error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("profile file: a hand-written file reads as written", "[io][profile]") {
    const calibration c = parse(valid_file());
    const moecost::perf_profile& p = c.profile;
    CHECK(p.name.view() == "by-hand");
    CHECK(p.gemm_of(gemm_format::bf16).peak == 0.8);
    CHECK(p.gemm_of(gemm_format::bf16).half == 0);
    CHECK(p.gemm_of(gemm_format::fp8).peak == 0.6);
    CHECK(p.gemm_of(gemm_format::fp8).half == 64);
    CHECK(p.gemm_of(gemm_format::fp4).peak == 0.5);
    CHECK(p.gemm_of(gemm_format::int8).peak == 0.7);
    CHECK(p.attention_prefill == 0.65);
    // optional, and left out here (files written before it): no curve
    CHECK(p.attention_prefill_half == 0);
    CHECK(p.attention_decode == 0.9);
    CHECK(p.hbm.peak == 0.85);
    CHECK(p.hbm.half == 1e6);
    CHECK(p.kernel_overhead.value == 5e-6);
    CHECK(p.step_overhead.value == 0.002);
    CHECK(p.a2a_latency.value == 1e-5);
    CHECK(p.comm_overlap == 0.25);
    CHECK(p.unfused_elementwise == 0.5);
    CHECK(p.low_latency_decode_dispatch);
    CHECK_FALSE(c.intra_node.efficiency);
    CHECK_FALSE(c.inter_node.latency_s);
}

TEST_CASE("profile file: written and read back unchanged, to the last bit", "[io][profile]") {
    const calibration c = distinct();
    const std::string text = moecost::io::calibration_text(c);
    CHECK(parse_calibration(text, "x.json") == c);
    // The keys name their units; a link term not set is not written.
    const json j = json::parse(text);
    CHECK(j.at("kernel_overhead_s") == 4.25e-6);
    CHECK(j.at("step_overhead_s") == 1.75e-3);
    CHECK(j.at("a2a_latency_s") == 2.2e-5);
    CHECK(j.at("hbm").at("half_bytes") == 3.5e6);
    CHECK(j.at("attention_prefill_half_keys") == 275);
    CHECK(j.at("gemm").at("fp8").at("half_rows") == 96);
    CHECK(j.at("links").at("intra_node").at("latency_s") == 2.5e-6);
    CHECK_FALSE(j.at("links").at("inter_node").contains("latency_s"));
    // Without link terms there is no "links" at all.
    calibration bare = c;
    bare.intra_node = {};
    bare.inter_node = {};
    CHECK_FALSE(json::parse(moecost::io::calibration_text(bare)).contains("links"));
    CHECK(parse_calibration(moecost::io::calibration_text(bare), "x.json") == bare);
}

TEST_CASE("profile file: from a file on disk", "[io][profile]") {
    const auto path = std::filesystem::temp_directory_path() / "moecost_profile_json_test.json";
    {
        std::ofstream out(path);
        out << moecost::io::calibration_text(distinct());
    }
    CHECK(moecost::io::load_calibration(path) == distinct());
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(moecost::io::load_calibration(path),
                      Catch::Contains("cannot open for reading"));
}

TEST_CASE("profile file: applied to a cluster, the links it omits keep the preset's",
          "[io][profile]") {
    moecost::cluster_spec c = moecost::presets::h100_sxm;
    const double inter_latency = c.inter_node.latency.value;
    moecost::io::apply_calibration(distinct(), c);
    CHECK(c.gpu.perf == distinct().profile);
    CHECK(c.intra_node.efficiency == 0.78);
    CHECK(c.intra_node.latency.value == 2.5e-6);
    CHECK(c.inter_node.efficiency == 0.66);
    CHECK(c.inter_node.latency.value == inter_latency);
    // The peaks are the GPU's own.
    CHECK(c.gpu.peak_bf16 == moecost::presets::h100_sxm.gpu.peak_bf16);
}

TEST_CASE("profile file: every error is one line naming the key", "[io][profile]") {
    CHECK_THROWS_WITH(parse_calibration("{ nope", "cal.json"),
                      Catch::StartsWith("cal.json: not valid JSON"));
    CHECK(error_of(json::array()) == "cal.json: expected a JSON object (a calibration profile), "
                                     "got an array");

    CHECK_THROWS_WITH(parse_calibration(R"({"name": "a", "name": "b"})", "cal.json"),
                      "cal.json: key 'name' appears twice");

    json j = valid_file();
    j.erase("moecost_profile");
    CHECK(error_of(j) == "cal.json: key 'moecost_profile': required but missing");
    j["moecost_profile"] = 2;
    CHECK(error_of(j) ==
          "cal.json: key 'moecost_profile': expected 1 (the format's version), got 2");

    j = valid_file();
    j["kernel_overhead_us"] = 4;
    CHECK(error_of(j) == "cal.json: key 'kernel_overhead_us': unknown key (expected "
                         "moecost_profile, name, gemm, attention_prefill, "
                         "attention_prefill_half_keys, attention_decode, hbm, kernel_overhead_s, "
                         "step_overhead_s, a2a_latency_s, comm_overlap, unfused_elementwise, "
                         "low_latency_decode_dispatch, links)");
    j = valid_file();
    j["gemm"]["bf8"] = j["gemm"]["fp8"];
    CHECK(error_of(j) == "cal.json: key 'gemm.bf8': unknown key (expected bf16, fp8, fp4, int8)");
    j = valid_file();
    j["gemm"]["fp8"]["half"] = 3;
    CHECK(error_of(j) == "cal.json: key 'gemm.fp8.half': unknown key (expected peak, half_rows)");

    j = valid_file();
    j["gemm"].erase("int8");
    CHECK(error_of(j) == "cal.json: key 'gemm.int8': required but missing");
    j = valid_file();
    j.erase("comm_overlap");
    CHECK(error_of(j) == "cal.json: key 'comm_overlap': required but missing");
    j = valid_file();
    j["hbm"].erase("half_bytes");
    CHECK(error_of(j) == "cal.json: key 'hbm.half_bytes': required but missing");

    j = valid_file();
    j["attention_decode"] = "0.9";
    CHECK(error_of(j) == "cal.json: key 'attention_decode': expected a number, got \"0.9\"");
    j = valid_file();
    j["hbm"] = 0.85;
    CHECK(error_of(j) == "cal.json: key 'hbm': expected an object, got 0.85");
    j = valid_file();
    j["name"] = 7;
    CHECK(error_of(j) == "cal.json: key 'name': expected a string, got 7");
    j["name"] = "";
    CHECK(error_of(j) == "cal.json: key 'name': expected 1 to 32 characters, got 0");
    j["name"] = std::string(33, 'x');
    CHECK(error_of(j) == "cal.json: key 'name': expected 1 to 32 characters, got 33");
}

TEST_CASE("profile file: each term's range, as the library's validate_into holds it",
          "[io][profile]") {
    const auto with = [](const char* a, const char* b, const char* c, double v) {
        json j = valid_file();
        if (c != nullptr)
            j[a][b][c] = v;
        else if (b != nullptr)
            j[a][b] = v;
        else
            j[a] = v;
        return error_of(j);
    };
    // efficiencies from 0.001 (the CLI's flags' floor) to 1: 5e-324 would make every time inf
    CHECK(with("gemm", "fp8", "peak", 1.3) ==
          "cal.json: key 'gemm.fp8.peak': expected a number in [0.001, 1], got 1.3");
    CHECK(with("gemm", "bf16", "peak", 0) ==
          "cal.json: key 'gemm.bf16.peak': expected a number in [0.001, 1], got 0");
    CHECK(with("gemm", "bf16", "peak", 5e-324) ==
          "cal.json: key 'gemm.bf16.peak': expected a number in [0.001, 1], got 4.94066e-324");
    CHECK(with("gemm", "int8", "half_rows", -1) ==
          "cal.json: key 'gemm.int8.half_rows': expected a number in [0, 1e+06], got -1");
    CHECK(with("gemm", "int8", "half_rows", 1e308) ==
          "cal.json: key 'gemm.int8.half_rows': expected a number in [0, 1e+06], got 1e+308");
    CHECK(with("attention_prefill", nullptr, nullptr, 1.01) ==
          "cal.json: key 'attention_prefill': expected a number in [0.001, 1], got 1.01");
    CHECK(with("attention_prefill_half_keys", nullptr, nullptr, -300) ==
          "cal.json: key 'attention_prefill_half_keys': expected a number in [0, 1e+06], got "
          "-300");
    {
        json k = valid_file();
        k["attention_prefill_half_keys"] = 300;
        CHECK(parse(k).profile.attention_prefill_half == 300);
    }
    CHECK(with("attention_decode", nullptr, nullptr, -0.5) ==
          "cal.json: key 'attention_decode': expected a number in [0.001, 1], got -0.5");
    CHECK(with("hbm", "peak", nullptr, 2) ==
          "cal.json: key 'hbm.peak': expected a number in [0.001, 1], got 2");
    CHECK(with("hbm", "half_bytes", nullptr, -3) ==
          "cal.json: key 'hbm.half_bytes': expected a number in [0, 1e+12], got -3");
    // fixed costs up to a second (a step's ten), as the CLI's flags take them
    CHECK(with("kernel_overhead_s", nullptr, nullptr, -1e-6) ==
          "cal.json: key 'kernel_overhead_s': expected a number in [0, 1], got -1e-06");
    CHECK(with("kernel_overhead_s", nullptr, nullptr, 1e308) ==
          "cal.json: key 'kernel_overhead_s': expected a number in [0, 1], got 1e+308");
    CHECK(with("step_overhead_s", nullptr, nullptr, -1) ==
          "cal.json: key 'step_overhead_s': expected a number in [0, 10], got -1");
    CHECK(with("step_overhead_s", nullptr, nullptr, 11) ==
          "cal.json: key 'step_overhead_s': expected a number in [0, 10], got 11");
    CHECK(with("a2a_latency_s", nullptr, nullptr, -2) ==
          "cal.json: key 'a2a_latency_s': expected a number in [0, 1], got -2");
    CHECK(with("comm_overlap", nullptr, nullptr, 1.5) ==
          "cal.json: key 'comm_overlap': expected a number in [0, 1], got 1.5");
    CHECK(with("unfused_elementwise", nullptr, nullptr, 1.2) ==
          "cal.json: key 'unfused_elementwise': expected a number in [0, 1], got 1.2");
    CHECK(with("comm_overlap", nullptr, nullptr, -0.1) ==
          "cal.json: key 'comm_overlap': expected a number in [0, 1], got -0.1");
    // the ends themselves are in range
    CHECK(parse([] {
              json k = valid_file();
              k["gemm"]["bf16"]["peak"] = 0.001;
              k["step_overhead_s"] = 10;
              k["kernel_overhead_s"] = 1;
              return k;
          }())
              .profile.step_overhead.value == 10);

    json j = valid_file();
    j["links"] = {{"intra_node", {{"efficiency", 0}}}};
    CHECK(error_of(j) ==
          "cal.json: key 'links.intra_node.efficiency': expected a number in [0.001, 1], got 0");
    j["links"] = {{"intra_node", {{"efficiency", 5e-324}}}};
    CHECK(error_of(j) == "cal.json: key 'links.intra_node.efficiency': expected a number in "
                         "[0.001, 1], got 4.94066e-324");
    j["links"] = {{"inter_node", {{"latency_s", -1e-6}}}};
    CHECK(error_of(j) ==
          "cal.json: key 'links.inter_node.latency_s': expected a number in [0, 1], got -1e-06");
    j["links"] = {{"inter_node", {{"latency_s", 1e308}}}};
    CHECK(error_of(j) ==
          "cal.json: key 'links.inter_node.latency_s': expected a number in [0, 1], got 1e+308");
    j["links"] = {{"inter_node", {{"bandwidth", 50e9}}}};
    CHECK(error_of(j) == "cal.json: key 'links.inter_node.bandwidth': unknown key (expected "
                         "efficiency, latency_s)");
    j["links"] = {{"nvlink", json::object()}};
    CHECK(error_of(j) ==
          "cal.json: key 'links.nvlink': unknown key (expected intra_node, inter_node)");
}
