// A training report's time cannot be had by dividing its FLOPs by its token rate: model FLOPs
// per iteration over tokens/s per GPU is FLOP·s/token, not seconds, and must not compile as a
// time. Both g++ ("conversion from 'quantity<...flop_base_dimension...token_base_dimension,
// static_rational<-1>...>' to non-scalar type ...") and clang++ ("no viable conversion from
// ...") name the FLOP and the inverse token dimensions of moecost's unit system.
// expect: conversion from .*moecost::units::flop_base_dimension.*moecost::units::token_base_dimension, boost::units::static_rational<-1

#include <moecost/evaluate/training.hpp>

namespace {
using namespace moecost;

#ifdef MOECOST_COMPILE_FAIL
[[maybe_unused]] seconds step_of(const training_report& r) {
    const seconds t = r.model_flops_per_iteration / r.tokens_per_gpu;
    return t;
}
#else
// The twin: MFU is model FLOPs over (time · GPUs · peak), so the time is model FLOPs over
// (MFU · GPUs · peak): FLOP / (FLOP/s) is seconds.
[[maybe_unused]] seconds step_of(const training_report& r, double gpus, flop_rate peak) {
    const seconds t = r.model_flops_per_iteration / (r.mfu * gpus * peak);
    return t;
}
#endif
} // namespace
