# `cmake --install`: bin/civitas, lib/libcivitas.so*, include/civitas/*.h,
# lib/pkgconfig/civitas.pc, lib/cmake/civitas/ (find_package(civitas) -> civitas::civitas).
# The Python package and the jar are installed by cmake/python.cmake and cmake/java.cmake.
include(CMakePackageConfigHelpers)

install(TARGETS civitas_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS civitas EXPORT civitasTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/capi/include/civitas DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/capi/include/civitas/civitas_export.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/civitas)

install(EXPORT civitasTargets NAMESPACE civitas:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/civitas)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/templates/civitasConfig.cmake.in
  ${PROJECT_BINARY_DIR}/civitasConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/civitas)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/civitasConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/civitasConfig.cmake ${PROJECT_BINARY_DIR}/civitasConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/civitas)

configure_file(${PROJECT_SOURCE_DIR}/cmake/templates/civitas.pc.in ${PROJECT_BINARY_DIR}/civitas.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/civitas.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
