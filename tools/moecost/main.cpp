// moecost: the command-line face of the library.
//
//   moecost inspect  --preset mixtral-8x7b [--context N] [--prompt N] [--json]
//   moecost evaluate --preset seed-moe --gpu seed-gpu --seed-layout ep=8,pp=2,dp=4,tp=2
//                    --batch 128 --prompt 10240 [--json]
//   moecost search   --preset seed-moe --gpu seed-gpu --max-gpus 32 --batch 64,128 [--json]
//   moecost serve    --preset deepseek-v3 --gpu h100-sxm --max-gpus 1024 --isl 4096 --osl 1024
//                    --ttft 2 --tpot 0.05 [--plot front.svg] [--json]
//   moecost train    --preset llama-3-8b --gpu h100-sxm --layout tp=2,dp=4 --global-batch 256
//   moecost dag      --preset seed-moe --gpu seed-gpu --seed-layout ep=8,pp=2,dp=4,tp=2 | dot -Tsvg
//   moecost calibrate --measurements points.json [--calibration start.json] [--out profile.json]
//
// Each subcommand lives in cmd_<name>.hpp as one `command add_<name>(CLI::App&)` that adds
// its options and returns what to run; adding one (search, dag, train) is a new header and a
// line in `registrars` below (cmd_train.hpp's inputs and search output are in
// train_scenario.hpp and train_search_out.hpp; cmd_calibrate.hpp's measured points and fit
// in calibrate_points.hpp and calibrate_fit.hpp; cmd_serve.hpp's in serve_scenario.hpp and
// serve_out.hpp). The pieces they share, one concern a header:
//   command.hpp       the registry, usage and run errors, exit statuses
//   values.hpp        validators: integers and numbers in a range, one of a list, lists
//   model.hpp         --model/--preset and the precisions; the model as text and JSON
//   cluster.hpp       --gpu and the hardware figures; the GPU and network as text
//   layout.hpp        --layout/--seed-layout;  layout_text.hpp  a layout as JSON and text
//   workload.hpp, modelling.hpp, requirements.hpp   the options of each, and their text
//   search_space.hpp  a search's budget, degrees, objective and --top
//   search_progress.hpp, progress.hpp   a search drawing its progress on a terminal
//   format.hpp        counts, percentages, headings, tables;  violation_out.hpp  violations
//   output.hpp        stdout through a buffer checked for non-finite numbers; json_out.hpp
//
// Errors: a malformed command line is one line on stderr naming the flag, exit 2; a model
// that cannot be loaded is one line (the loader's message), exit 1. A deployment that breaks
// a rule is a result, not an error: it is reported and the exit status is 0. An output that
// would print a non-finite number is a bug: nothing is printed but one line, exit 1.

#include "cmd_calibrate.hpp"
#include "cmd_dag.hpp"
#include "cmd_evaluate.hpp"
#include "cmd_inspect.hpp"
#include "cmd_search.hpp"
#include "cmd_serve.hpp"
#include "cmd_train.hpp"
#include "command.hpp"
#include "output.hpp"

#include <cstdio>
#include <exception>
#include <vector>

namespace {

#ifdef MOECOST_VERSION
constexpr const char* version = MOECOST_VERSION;
#else
constexpr const char* version = "0.1.0";
#endif

// clang-format off
/// The subcommands, in the order --help lists them.
constexpr std::array<moecost::cli::registrar, 7> registrars{
    &moecost::cli::add_inspect,
    &moecost::cli::add_evaluate,
    &moecost::cli::add_search,
    &moecost::cli::add_serve,
    &moecost::cli::add_train,
    &moecost::cli::add_dag,
    &moecost::cli::add_calibrate,
};
// clang-format on

void fail_line(const std::string& message) {
    fmt::print(stderr, "moecost: {}\n", moecost::cli::one_line(message));
}

/// The option named `name` in `app` or in a subcommand it parsed, or null.
const CLI::Option* option_named(const CLI::App& app, const std::string& name) {
    if (const CLI::Option* o = app.get_option_no_throw(name))
        return o;
    for (const CLI::App* sub : app.get_subcommands())
        if (const CLI::Option* o = option_named(*sub, name))
            return o;
    return nullptr;
}

/// "--batch was given twice (64 and 128); give it once", for CLI11's "--batch: At Most 1
/// required but received 2"; empty when `e` is not that.
std::string given_twice_line(const CLI::App& app, const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) == nullptr)
        return {};
    const std::string message = e.what();
    const auto colon = message.find(':');
    if (colon == std::string::npos || message.find("At Most 1 ") == std::string::npos)
        return {};
    const std::string name = message.substr(0, colon);
    const CLI::Option* o = option_named(app, name);
    if (o == nullptr || o->results().size() < 2)
        return {};
    const std::vector<std::string>& given = o->results();
    std::string values;
    for (std::size_t i = 0; i < given.size(); ++i)
        values += (i == 0 ? "" : i + 1 == given.size() ? " and " : ", ") + given[i];
    const std::string times = given.size() == 2 ? "twice" : std::to_string(given.size()) + " times";
    return name + " was given " + times + " (" + values + "); give it once";
}

/// CLI11's message, with a hint when it names no flag. A word where the subcommand goes
/// (`moecost frob`) is reported as an unknown subcommand rather than a missing one.
std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e) {
    if (std::string twice = given_twice_line(app, e); !twice.empty())
        return twice;
    std::string message = e.what();
    const auto left = app.remaining();
    if (app.get_subcommands().empty() && !left.empty() && !left.front().empty()) {
        std::vector<std::string> names;
        for (const CLI::App* sub : app.get_subcommands({}))
            names.push_back(sub->get_name());
        if (left.front()[0] != '-')
            message = "unknown subcommand '" + left.front() + "' (expected " +
                      moecost::cli::join(names) + ")";
        else
            message = "unknown option '" + left.front() + "' before the subcommand (" +
                      moecost::cli::join(names) + "); options go after it";
    }
    if (message.rfind("--", 0) != 0)
        message += " (see --help)";
    return message;
}

} // namespace

int main(int argc, char** argv) {
    using namespace moecost::cli;
    try {
        CLI::App app{"moecost: FLOPs, bytes and seconds of deploying Mixture-of-Experts LLMs",
                     "moecost"};
        app.set_version_flag("--version", std::string("moecost ") + version,
                             "Print the version and exit");
        app.require_subcommand(1);
        std::vector<command> commands;
        for (const registrar add : registrars)
            commands.push_back(add(app));
        // After the subcommands: CLI11 copies a parent's footer into subcommands made later.
        app.footer(
            "Run 'moecost SUBCOMMAND --help' for a subcommand's options.\n" +
            std::string(exit_status_text) +
            "\nExamples:\n"
            "  moecost inspect --preset mixtral-8x7b\n"
            "  moecost inspect --model path/to/config.json --json\n"
            "  moecost evaluate --preset seed-moe --gpu seed-gpu --seed-layout ep=8,pp=2,dp=4,tp=2 "
            "--batch 128 --prompt 10240\n"
            "  moecost search --preset seed-moe --gpu seed-gpu --max-gpus 32 --batch 64,128 "
            "--prompt 10240\n"
            "  moecost train --preset llama-3-8b --gpu h100-sxm --layout tp=2,dp=4 --global-batch "
            "256 --seq 8192");
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp& e) {
            return app.exit(e);
        } catch (const CLI::CallForAllHelp& e) {
            return app.exit(e);
        } catch (const CLI::CallForVersion& e) {
            return app.exit(e);
        } catch (const CLI::ParseError& e) {
            fail_line(parse_error_line(app, e));
            return exit_usage;
        }
        for (const command& c : commands)
            if (c.app->parsed()) {
                const int status = c.run();
                flush_output(); // checks that every number printed is finite
                return status;
            }
        fail_line("no subcommand ran (see --help)");
        return exit_usage;
    } catch (const usage_error& e) {
        fail_line(e.what());
        return exit_usage;
    } catch (const moecost::io::load_error& e) {
        fail_line(e.what());
        return exit_failure;
    } catch (const run_error& e) {
        fail_line(e.what());
        return exit_failure;
    } catch (const non_finite_output& e) {
        fail_line(e.what());
        return exit_failure;
    } catch (const std::exception& e) {
        fail_line(std::string("unexpected error: ") + e.what());
        return exit_failure;
    }
}
