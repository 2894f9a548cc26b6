# Included by the tests/cli scripts run with `cmake -P script.cmake -- <program> <args>...`:
# sets _cmd to the list of arguments after the "--".
set(_cmd)
set(_found FALSE)
math(EXPR _last "${CMAKE_ARGC} - 1")
foreach(_i RANGE 0 ${_last})
    if(_found)
        list(APPEND _cmd "${CMAKE_ARGV${_i}}")
    elseif("${CMAKE_ARGV${_i}}" STREQUAL "--")
        set(_found TRUE)
    endif()
endforeach()
