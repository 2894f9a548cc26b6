#pragma once
// moecost is C++20 (class-type template arguments, concepts, constexpr algorithms). Under an
// older standard, stop at once with one message that says so rather than with the wall of
// unrelated errors the rest of the headers give. Every header that can be the first moecost
// header of a translation unit includes this one before anything else.
//
// g++ and clang++ carry on after an #error, into the errors this spares the reader, so an
// include of a file that does not exist follows it: its fatal error ends the compilation.
// MSVC keeps __cplusplus at 199711L unless /Zc:__cplusplus; _MSVC_LANG is its language mode.

#if defined(_MSVC_LANG) && _MSVC_LANG > __cplusplus
#define MOECOST_DETAIL_CPLUSPLUS _MSVC_LANG
#else
#define MOECOST_DETAIL_CPLUSPLUS __cplusplus
#endif

#if MOECOST_DETAIL_CPLUSPLUS < 202002L
#if MOECOST_DETAIL_CPLUSPLUS >= 201703L
#error "moecost: needs C++20 (-std=c++20); this compiler is in C++17 mode"
#elif MOECOST_DETAIL_CPLUSPLUS >= 201402L
#error "moecost: needs C++20 (-std=c++20); this compiler is in C++14 mode"
#else
#error "moecost: needs C++20 (-std=c++20); this compiler is in a mode older than C++14"
#endif
#include <moecost/stopped: C++20 needed> // not a file: compilation ends at the #error above
#endif

#undef MOECOST_DETAIL_CPLUSPLUS
