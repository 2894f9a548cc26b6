#pragma once
/**
 * @file
 * moecost: FLOPs, bytes and seconds of Mixture-of-Experts (and dense) LLM deployments, from
 * first principles, in constant expressions. This umbrella header includes the core (which
 * needs Boost alone); the JSON/config.json readers live in <moecost/io/...>.
 */

#include <moecost/units.hpp>

#include <moecost/spec/hardware.hpp>
#include <moecost/spec/layout.hpp>
#include <moecost/spec/model.hpp>
#include <moecost/spec/violation.hpp>
#include <moecost/spec/workload.hpp>

#include <moecost/count/flops.hpp>
#include <moecost/count/memory.hpp>
#include <moecost/count/params.hpp>
#include <moecost/count/traffic.hpp>

#include <moecost/time/collectives.hpp>
#include <moecost/time/roofline.hpp>

#include <moecost/evaluate.hpp>
#include <moecost/search.hpp>
#include <moecost/train.hpp>
#include <moecost/train_search.hpp>
#include <moecost/verdict/claims.hpp>
#include <moecost/verdict/deployment.hpp>

#include <moecost/presets/hardware.hpp>
#include <moecost/presets/models.hpp>
