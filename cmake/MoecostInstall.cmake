# Install rules and the CMake package (MOECOST_INSTALL). Included from the top-level
# CMakeLists.txt.
#
#   <prefix>/include/moecost.hpp, include/moecost/...        the header file sets
#   <prefix>/share/cmake/moecost/moecostConfig.cmake          find_dependency(Boost 1.74)
#                               moecostConfigVersion.cmake   SameMajorVersion, ARCH_INDEPENDENT
#                               moecostTargets.cmake         moecost::moecost
#                               moecostIoTargets.cmake       moecost::io, loaded only when
#                                                            nlohmann_json is found
#   <prefix>/bin/moecost                                     the tool (component moecost_Runtime)
#
# Everything but the tool is in the component moecost_Development.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(MOECOST_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/moecost"
    CACHE STRING "Where moecostConfig.cmake is installed, relative to the prefix")
mark_as_advanced(MOECOST_INSTALL_CMAKEDIR)

# INCLUDES DESTINATION as well: consumers on CMake < 3.23 do not read file sets.
install(TARGETS moecost
        EXPORT moecostTargets
        FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT moecost_Development
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT moecostTargets
        NAMESPACE moecost::
        DESTINATION "${MOECOST_INSTALL_CMAKEDIR}"
        COMPONENT moecost_Development)

set(MOECOST_INSTALLS_IO OFF)
if(TARGET moecost_io)
    set(MOECOST_INSTALLS_IO ON)
    install(TARGETS moecost_io
            EXPORT moecostIoTargets
            FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
            COMPONENT moecost_Development)
    install(EXPORT moecostIoTargets
            NAMESPACE moecost::
            DESTINATION "${MOECOST_INSTALL_CMAKEDIR}"
            COMPONENT moecost_Development)
endif()

configure_package_config_file(
    "${CMAKE_CURRENT_SOURCE_DIR}/cmake/moecostConfig.cmake.in"
    "${CMAKE_CURRENT_BINARY_DIR}/moecostConfig.cmake"
    INSTALL_DESTINATION "${MOECOST_INSTALL_CMAKEDIR}")
write_basic_package_version_file(
    "${CMAKE_CURRENT_BINARY_DIR}/moecostConfigVersion.cmake"
    COMPATIBILITY SameMajorVersion
    ARCH_INDEPENDENT)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/moecostConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/moecostConfigVersion.cmake"
        DESTINATION "${MOECOST_INSTALL_CMAKEDIR}"
        COMPONENT moecost_Development)

if(TARGET moecost_tool)
    # OPTIONAL: installing the headers must not need the tool to be built first.
    install(TARGETS moecost_tool RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
            COMPONENT moecost_Runtime OPTIONAL)
endif()
