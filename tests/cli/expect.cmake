# Runs a command and checks its exit status, its stdout and its stderr.
#
#   cmake -DEXPECT_EXIT=<0|nonzero|N> -DEXPECT_STDOUT=<regex> -DEXPECT_STDERR=<regex>
#         [-DEXPECT_STDOUT_FILE=<file of regexes>] -P expect.cmake -- <program> <args>...
#
# EXPECT_EXIT: 0, a number, or "nonzero". The regexes are CMake regexes matched against the
# whole output ('.' matches a newline; ^ and $ anchor the whole text): "^$" is "empty", and
# "^moecost: [^\n]*\n$" is "exactly one line". A regex unset or "<unchecked>" is not checked.
# EXPECT_STDOUT_FILE: each non-empty line not starting with '#' is one more regex stdout
# must match (for outputs with many figures to check); a written \n in it is a newline. On a mismatch the command, its exit
# status and both outputs are printed and the script fails.

include("${CMAKE_CURRENT_LIST_DIR}/command_after_dashes.cmake")
if(NOT _cmd)
    message(FATAL_ERROR "expect.cmake: no command (put it after --)")
endif()
if(NOT DEFINED EXPECT_EXIT)
    message(FATAL_ERROR "expect.cmake: EXPECT_EXIT is not set")
endif()

execute_process(
    COMMAND ${_cmd}
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _err)

# -D makes cache entries, which unset() without CACHE leaves visible: drop both.
foreach(_what EXPECT_STDOUT EXPECT_STDERR EXPECT_STDOUT_FILE)
    if("${${_what}}" STREQUAL "<unchecked>")
        unset(${_what})
        unset(${_what} CACHE)
    endif()
endforeach()

# Problems are kept in a string, not a list: a regex may hold an unbalanced '['.
set(_problems "")
if(NOT _rc MATCHES "^[0-9]+$")
    string(APPEND _problems "FAILED: the command did not exit normally: ${_rc}\n")
elseif(EXPECT_EXIT STREQUAL "nonzero")
    if(_rc EQUAL 0)
        string(APPEND _problems "FAILED: exit status 0, expected non-zero\n")
    endif()
elseif(NOT _rc EQUAL EXPECT_EXIT)
    string(APPEND _problems "FAILED: exit status ${_rc}, expected ${EXPECT_EXIT}\n")
endif()

if(DEFINED EXPECT_STDOUT AND NOT _out MATCHES "${EXPECT_STDOUT}")
    string(APPEND _problems "FAILED: stdout does not match: ${EXPECT_STDOUT}\n")
endif()
if(DEFINED EXPECT_STDERR AND NOT _err MATCHES "${EXPECT_STDERR}")
    string(APPEND _problems "FAILED: stderr does not match: ${EXPECT_STDERR}\n")
endif()
if(DEFINED EXPECT_STDOUT_FILE)
    # Read line by line without CMake lists: a regex may hold '[' or ';', which lists mangle.
    file(READ "${EXPECT_STDOUT_FILE}" _text)
    while(NOT _text STREQUAL "")
        string(FIND "${_text}" "\n" _nl)
        if(_nl EQUAL -1)
            set(_re "${_text}")
            set(_text "")
        else()
            string(SUBSTRING "${_text}" 0 ${_nl} _re)
            math(EXPR _next "${_nl} + 1")
            string(SUBSTRING "${_text}" ${_next} -1 _text)
        endif()
        if(_re STREQUAL "" OR _re MATCHES "^#")
            continue()
        endif()
        string(REPLACE "\\n" "\n" _re_nl "${_re}") # a written \n is a newline
        if(NOT _out MATCHES "${_re_nl}")
            string(APPEND _problems "FAILED: stdout does not match (${EXPECT_STDOUT_FILE}): ${_re}\n")
        endif()
    endwhile()
endif()

if(NOT _problems STREQUAL "")
    string(REPLACE ";" " " _shown "${_cmd}")
    message(FATAL_ERROR "command: ${_shown}\nexit status: ${_rc}\n--- stdout ---\n${_out}--- stderr ---\n"
                        "${_err}---\n${_problems}")
endif()
