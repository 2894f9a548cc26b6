# Checks that the generated pages are current (MOECOST_BUILD_TESTS). Included from the top-level
# CMakeLists.txt after the programs, whose validation_report it runs.
#
#   docs.validation   docs/validation.md ends with what examples/validation_report.cpp prints
#                     (scripts/validation-docs writes it)
#   docs.reference    docs/reference.md is what scripts/reference-docs gathers from the headers
#                     (needs Python 3; left out without it)
if(TARGET validation_report)
    add_test(NAME docs.validation
             COMMAND "${CMAKE_COMMAND}" "-DPROGRAM=$<TARGET_FILE:validation_report>"
                     "-DDOC=${CMAKE_CURRENT_SOURCE_DIR}/docs/validation.md" "-DMARKER=## Results"
                     -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/docs/check_generated_tail.cmake")
    set_tests_properties(docs.validation PROPERTIES LABELS docs)
endif()
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
    add_test(NAME docs.reference
             COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/scripts/reference-docs"
                     --check)
    set_tests_properties(docs.reference PROPERTIES LABELS docs)
endif()
