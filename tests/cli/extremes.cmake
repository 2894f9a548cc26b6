# Feeds each numeric option extreme values and checks the answer is honest: a refusal (exit
# status 2, exactly one line on stderr naming the option, the value and the range it takes)
# or, for a value the option takes, a result (exit status 0) with no non-finite number in it.
#
#   cmake -DOPTIONS=<opt;...> [-DVALUES=<v;...>] [-DACCEPT=<opt=v;...>] [-DEDGES=<opt=v;...>]
#         -P extremes.cmake -- <program> <arguments every run shares>...
#
# VALUES defaults to 1e308;1e-300;-1;0;nan;inf;-inf;1e400. ACCEPT lists the pairs that are
# valid inputs (--peak-fp8=0: no fp8 rate); every other pair must be refused. EDGES lists
# values at the ends of the ranges, each run alone and expected to give a finite result.

cmake_policy(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/command_after_dashes.cmake")
if(NOT _cmd OR NOT DEFINED OPTIONS)
    message(FATAL_ERROR "extremes.cmake: OPTIONS and a command after -- are required")
endif()
if(NOT DEFINED VALUES)
    set(VALUES "1e308;1e-300;-1;0;nan;inf;-inf;1e400")
endif()

set(_problems "")
set(_runs 0)
foreach(_opt IN LISTS OPTIONS)
    foreach(_value IN LISTS VALUES)
        math(EXPR _runs "${_runs} + 1")
        execute_process(COMMAND ${_cmd} ${_opt} ${_value} RESULT_VARIABLE _rc
                        OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
        string(REPLACE ";" " " _shown "${_cmd} ${_opt} ${_value}")
        if("${_opt}=${_value}" IN_LIST ACCEPT)
            if(NOT _rc EQUAL 0)
                string(APPEND _problems "${_shown}\n  exit ${_rc}, expected 0: ${_err}\n")
            elseif(_out MATCHES "(^|[^A-Za-z0-9_])([Ii][Nn][Ff]|[Nn][Aa][Nn])([^A-Za-z0-9_]|$)")
                string(APPEND _problems "${_shown}\n  stdout holds a non-finite number\n")
            endif()
        else()
            string(REGEX REPLACE "([][+.*?()^$|\\\\])" "\\\\\\1" _value_re "${_value}")
            if(NOT _rc EQUAL 2)
                string(APPEND _problems "${_shown}\n  exit ${_rc}, expected 2 (refused)\n")
            elseif(NOT _err MATCHES "^moecost: ${_opt}: [^\n]*${_value_re}[^\n]*\n$")
                string(APPEND _problems
                       "${_shown}\n  stderr is not one line naming ${_opt} and ${_value}: ${_err}")
            elseif(NOT _err MATCHES " (from|to|above|below|at most) ")
                string(APPEND _problems "${_shown}\n  stderr names no range: ${_err}")
            endif()
        endif()
    endforeach()
endforeach()

# The ends of each range (EDGES, <opt=value>...): taken, evaluated, every number finite.
foreach(_pair IN LISTS EDGES)
    string(FIND "${_pair}" "=" _eq)
    string(SUBSTRING "${_pair}" 0 ${_eq} _opt)
    math(EXPR _eq "${_eq} + 1")
    string(SUBSTRING "${_pair}" ${_eq} -1 _value)
    math(EXPR _runs "${_runs} + 1")
    execute_process(COMMAND ${_cmd} ${_opt} ${_value} RESULT_VARIABLE _rc
                    OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
    string(REPLACE ";" " " _shown "${_cmd} ${_opt} ${_value}")
    if(NOT _rc EQUAL 0)
        string(APPEND _problems "${_shown}\n  exit ${_rc}, expected 0 (the end of its range): ${_err}\n")
    elseif(_out MATCHES "(^|[^A-Za-z0-9_])([Ii][Nn][Ff]|[Nn][Aa][Nn])([^A-Za-z0-9_]|$)")
        string(APPEND _problems "${_shown}\n  stdout holds a non-finite number\n")
    endif()
endforeach()

if(NOT _problems STREQUAL "")
    message(FATAL_ERROR "extreme values answered dishonestly:\n${_problems}")
endif()
message(STATUS "${_runs} runs, every one refused with its range or answered finitely")
