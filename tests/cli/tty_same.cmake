# On a terminal a search runs one world size at a time to draw its progress on stderr and
# merges the parts; its result must be the one call's. Runs the command with stdout to a file
# twice, once with stderr a terminal (util-linux `script` gives it one) and once not, and
# compares the two outputs, "elapsed_s" lines apart (the search's own wall time).
#
#   cmake -DSCRIPT=<path of script> -DWORK=<scratch dir> -P tty_same.cmake -- <program> <args>...

cmake_policy(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/command_after_dashes.cmake")
file(MAKE_DIRECTORY "${WORK}")
string(REPLACE ";" " " _line "${_cmd}")
execute_process(COMMAND ${_cmd} OUTPUT_FILE "${WORK}/plain.out" RESULT_VARIABLE _rc_plain
                ERROR_VARIABLE _err_plain)
# script runs the line in a shell with a terminal for its stdin, stdout and stderr.
file(REMOVE "${WORK}/tty.flag")
execute_process(COMMAND "${SCRIPT}" -qec
                        "${_line} > '${WORK}/tty.out' && if [ -t 2 ]; then : > '${WORK}/tty.flag'; fi"
                        /dev/null
                RESULT_VARIABLE _rc_tty OUTPUT_VARIABLE _err_tty)
if(NOT EXISTS "${WORK}/tty.flag")
    message(FATAL_ERROR "script gave the command no terminal for stderr")
endif()
if(NOT _rc_plain EQUAL 0 OR NOT _rc_tty EQUAL 0)
    message(FATAL_ERROR "exit status ${_rc_plain} (plain), ${_rc_tty} (terminal): ${_err_plain}${_err_tty}")
endif()
foreach(_which plain tty)
    file(STRINGS "${WORK}/${_which}.out" _lines)
    list(FILTER _lines EXCLUDE REGEX "elapsed_s|evaluated in [0-9.e-]+ s")
    set(_${_which} "${_lines}")
endforeach()
if(NOT _plain STREQUAL _tty)
    message(FATAL_ERROR "the search's result differs on a terminal: compare ${WORK}/plain.out "
                        "and ${WORK}/tty.out")
endif()
if(_plain STREQUAL "")
    message(FATAL_ERROR "no output")
endif()
