# cmake -DPROGRAM=<exe> -DDOC=<file.md> -DMARKER=<line> -P check_generated_tail.cmake
#
# Passes when DOC, after its line MARKER, is exactly what PROGRAM prints: the generated part of
# a page (docs/validation.md, written by scripts/validation-docs) is current.
foreach(_var PROGRAM DOC MARKER)
    if(NOT DEFINED ${_var})
        message(FATAL_ERROR "check_generated_tail: -D${_var}=... is required")
    endif()
endforeach()
execute_process(COMMAND "${PROGRAM}" OUTPUT_VARIABLE _printed RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} failed (exit status ${_rc})")
endif()
file(READ "${DOC}" _doc)
string(FIND "${_doc}" "\n${MARKER}\n" _at)
if(_at EQUAL -1)
    message(FATAL_ERROR "${DOC} has no line '${MARKER}'")
endif()
string(LENGTH "\n${MARKER}\n" _skip)
math(EXPR _from "${_at} + ${_skip}")
string(SUBSTRING "${_doc}" ${_from} -1 _tail)
if(NOT _tail STREQUAL _printed)
    message(FATAL_ERROR "${DOC} is stale: what follows '${MARKER}' is not what ${PROGRAM} "
                        "prints now; regenerate it (scripts/validation-docs)")
endif()
