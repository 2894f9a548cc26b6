# Small helpers shared by moecost's CMake files. Included from the top-level CMakeLists.txt.

# moecost_require_package(<Package> <debian-package> <what> <why> [<find_package args>...])
#
# find_package(<Package> <args> QUIET); if it is not found, stop configure with a message that
# names the Debian package to install, e.g.
#   moecost: Boost headers not found: apt-get install libboost-dev
# <why> (may be empty) says which part needs it and how to turn that part off.
macro(moecost_require_package _mrp_pkg _mrp_deb _mrp_what _mrp_why)
    find_package(${_mrp_pkg} ${ARGN} QUIET)
    if(NOT ${_mrp_pkg}_FOUND)
        if("${_mrp_why}" STREQUAL "")
            message(FATAL_ERROR "moecost: ${_mrp_what} not found: apt-get install ${_mrp_deb}")
        else()
            message(FATAL_ERROR "moecost: ${_mrp_what} not found (${_mrp_why}): "
                                "apt-get install ${_mrp_deb}")
        endif()
    endif()
endmacro()

# moecost_glob_sources(<var> <dir>)
#
# The *.cpp files directly in <dir> (relative to the top source directory), sorted, re-globbed at
# build time (CONFIGURE_DEPENDS) so that a new file is picked up without re-running cmake by hand.
function(moecost_glob_sources _var _dir)
    file(GLOB _files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${_dir}/*.cpp")
    list(SORT _files)
    set(${_var} ${_files} PARENT_SCOPE)
endfunction()

# moecost_check_target_name(<name> <file>)
#
# Programs are named after their source file; stop with a clear message when two files would
# make the same target (or a file would clash with a library or test target).
function(moecost_check_target_name _name _file)
    if(TARGET ${_name})
        message(FATAL_ERROR "moecost: ${_file} would define the target '${_name}', which already "
                            "exists; rename the file")
    endif()
endfunction()
