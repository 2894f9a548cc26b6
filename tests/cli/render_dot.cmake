# Pipes the tool's DOT into Graphviz and checks that both succeed and an SVG comes out.
#
#   cmake -DDOT=<path of dot> -P render_dot.cmake -- <moecost> <args>...
#
# On a failure the command, the exit statuses and Graphviz's messages are printed and the
# script fails.

include("${CMAKE_CURRENT_LIST_DIR}/command_after_dashes.cmake")
if(NOT _cmd OR NOT DOT)
    message(FATAL_ERROR "render_dot.cmake: -DDOT=<dot> -P render_dot.cmake -- <command>")
endif()

execute_process(
    COMMAND ${_cmd}
    COMMAND "${DOT}" -Tsvg
    RESULTS_VARIABLE _rcs
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _err)

set(_problems "")
if(NOT _rcs STREQUAL "0;0")
    string(APPEND _problems "FAILED: exit statuses (moecost;dot) ${_rcs}, expected 0;0\n")
endif()
if(NOT _out MATCHES "<svg[^>]*>.*<g id=\"node1\" class=\"node\">.*</svg>")
    string(APPEND _problems "FAILED: no SVG with nodes on stdout\n")
endif()
if(NOT _err STREQUAL "")
    string(APPEND _problems "FAILED: messages on stderr\n")
endif()
if(NOT _problems STREQUAL "")
    string(REPLACE ";" " " _shown "${_cmd}")
    message(FATAL_ERROR "command: ${_shown} | ${DOT} -Tsvg\n--- stderr ---\n${_err}---\n${_problems}")
endif()
