# Checks that the documentation is current (MOECOST_BUILD_TESTS). Included from the top-level
# CMakeLists.txt after the programs, whose validation_report, seed_audit and moecost_tool it runs.
#
#   docs.validation   docs/validation.md ends with what examples/validation_report.cpp prints
#                     (scripts/validation-docs writes it)
#   docs.reference    docs/reference.md is what scripts/reference-docs gathers from the headers
#                     (needs Python 3; left out without it)
#   docs.readme       every code block of README.md and docs/tutorial.md compiles, runs or is
#   docs.tutorial     quoted verbatim from compiled code, every `moecost` command runs, and the
#                     figures the text quotes are what the programs print (scripts/doc-examples;
#                     needs Python 3, the tool and the examples)
#   docs.header_examples  every @code example in the headers' comments that holds a
#                     static_assert compiles (scripts/doc-examples --headers)
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
    add_test(NAME docs.header_examples
             COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/scripts/doc-examples"
                     --headers --cxx "${CMAKE_CXX_COMPILER}"
                     --include "$<TARGET_PROPERTY:Boost::headers,INTERFACE_INCLUDE_DIRECTORIES>"
                     "${CMAKE_CURRENT_SOURCE_DIR}/include")
    set_tests_properties(docs.reference docs.header_examples PROPERTIES LABELS docs)
endif()
if(Python3_Interpreter_FOUND
   AND TARGET moecost_tool
   AND TARGET seed_audit
   AND TARGET fmt::fmt)
    # The pages' C++ is compiled with this build's compiler; the tutorial includes <fmt/core.h>.
    set(_moecost_doc_includes
        "$<TARGET_PROPERTY:Boost::headers,INTERFACE_INCLUDE_DIRECTORIES>"
        "$<TARGET_PROPERTY:fmt::fmt,INTERFACE_INCLUDE_DIRECTORIES>")
    foreach(_page IN ITEMS readme:README.md tutorial:docs/tutorial.md)
        string(REPLACE ":" ";" _page "${_page}")
        list(GET _page 0 _name)
        list(GET _page 1 _file)
        add_test(NAME docs.${_name}
                 COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/scripts/doc-examples"
                         --tool "$<TARGET_FILE:moecost_tool>"
                         --program "seed_audit=$<TARGET_FILE:seed_audit>"
                         --cxx "${CMAKE_CXX_COMPILER}" --cxx-id "${CMAKE_CXX_COMPILER_ID}"
                         --include "${_moecost_doc_includes}" "${CMAKE_CURRENT_SOURCE_DIR}/${_file}")
        set_tests_properties(docs.${_name} PROPERTIES LABELS docs)
    endforeach()
endif()
