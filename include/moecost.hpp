#pragma once
/**
 * @file
 * moecost: FLOPs, bytes and seconds of Mixture-of-Experts (and dense) LLM deployments, from
 * first principles, in constant expressions. This umbrella header includes the core (which
 * needs Boost alone); the JSON/config.json readers live in <moecost/io/...>.
 */

#include <moecost/detail/require_cxx20.hpp>

#include <moecost/units.hpp>

#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/options.hpp>
#include <moecost/spec/traffic.hpp>
#include <moecost/spec/violation.hpp>
#include <moecost/spec/workload.hpp>

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/count/routing.hpp>
#include <moecost/count/shares.hpp>

#include <moecost/time/collectives.hpp>
#include <moecost/time/drafts.hpp>
#include <moecost/time/load.hpp>
#include <moecost/time/pipeline.hpp>
#include <moecost/time/roofline.hpp>
#include <moecost/time/stages.hpp>
#include <moecost/time/step.hpp>
#include <moecost/time/step_cost.hpp>

#include <moecost/verdict/layout_rules.hpp>
#include <moecost/verdict/memory_fit.hpp>
#include <moecost/verdict/requirements.hpp>

#include <moecost/evaluate/bounds.hpp>
#include <moecost/evaluate/deployment.hpp>
#include <moecost/evaluate/inference.hpp>
#include <moecost/evaluate/report.hpp>
#include <moecost/evaluate/training.hpp>

#include <moecost/search/inference.hpp>
#include <moecost/search/layouts.hpp>
#include <moecost/search/training.hpp>

#include <moecost/serve/aggregated.hpp>
#include <moecost/serve/candidates.hpp>
#include <moecost/serve/plan_type.hpp>
#include <moecost/serve/planner.hpp>
#include <moecost/serve/pools.hpp>
#include <moecost/serve/queueing.hpp>

#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>
