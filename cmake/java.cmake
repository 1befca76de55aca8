if(NOT CIVITAS_JAVA)
  return()
endif()
if(CIVITAS_SANITIZE)
  # A JVM cannot load a JNI library built with ASan/UBSan unless the runtime is preloaded.
  message(STATUS "civitas: Java binding skipped (CIVITAS_SANITIZE is on)")
  return()
endif()
# The Java binding (docs/java.md): package org.civitas over the C ABI.
#
#   bindings/java/civitas.i + swig/*.i --swig--> java/gen/civitas_wrap.c + org/civitas/internal/*.java
#   civitas_wrap.c + civitas_capi_obj + civitas_core --> civitas_jni (libcivitas_jni.so)
#   bindings/java/src/main/java + generated --javac--> java/classes
#   classes + stripped libcivitas_jni.so (as /org/civitas/native/<os>-<arch>/) --> java/civitas.jar
# Tests: tests/java/org/civitas/*Test.java (JUnit 5) as CTest `java.tests` (library from the
# jar) and `java.librarypath` (library from java.library.path); examples/java.

# FindJNI and FindJava look at JAVA_HOME: derive it from the javac on PATH when unset.
if(NOT JAVA_HOME AND NOT DEFINED ENV{JAVA_HOME})
  find_program(CIVITAS_JAVAC javac)
  if(CIVITAS_JAVAC)
    file(REAL_PATH "${CIVITAS_JAVAC}" _civ_javac_real)
    get_filename_component(_civ_java_bin "${_civ_javac_real}" DIRECTORY)
    get_filename_component(JAVA_HOME "${_civ_java_bin}" DIRECTORY)
    set(ENV{JAVA_HOME} "${JAVA_HOME}")
  endif()
endif()
find_package(Java 11 REQUIRED COMPONENTS Runtime Development)
find_package(JNI REQUIRED)
find_package(SWIG 4.0 REQUIRED COMPONENTS java)

set(CIVITAS_JAVA_SOURCE_DIR ${PROJECT_SOURCE_DIR}/bindings/java)
set(CIVITAS_JAVA_BINARY_DIR ${PROJECT_BINARY_DIR}/java)
set(CIVITAS_JAVA_JAR ${CIVITAS_JAVA_BINARY_DIR}/civitas.jar)
set(CIVITAS_JAVA_RELEASE 11)  # the Java version the jar runs on
set(_jsrc ${CIVITAS_JAVA_SOURCE_DIR})
set(_jbin ${CIVITAS_JAVA_BINARY_DIR})
set(_jgen ${_jbin}/gen)

# The pom describes the jar: its version must be the project's.
file(STRINGS ${_jsrc}/pom.xml _pom_version REGEX "^  <version>.*</version>")
if(NOT _pom_version MATCHES "<version>${PROJECT_VERSION}</version>")
  message(FATAL_ERROR "bindings/java/pom.xml: <version> must be ${PROJECT_VERSION} (found: ${_pom_version})")
endif()

# Platform directory inside the jar; must match org.civitas.NativeLoader.platform().
string(TOLOWER "${CMAKE_SYSTEM_NAME}" _jos)
if(_jos STREQUAL "darwin")
  set(_jos macos)
endif()
set(_jarch "${CMAKE_SYSTEM_PROCESSOR}")
if(_jarch MATCHES "^(AMD64|amd64|x64)$")
  set(_jarch x86_64)
elseif(_jarch MATCHES "^(arm64|ARM64)$")
  set(_jarch aarch64)
endif()
set(CIVITAS_JAVA_PLATFORM "${_jos}-${_jarch}")
set(_jlibname ${CMAKE_SHARED_LIBRARY_PREFIX}civitas_jni${CMAKE_SHARED_LIBRARY_SUFFIX})

# ---- SWIG: C wrapper and the generated classes (org.civitas.internal) ------------------
set(_jwrap ${_jgen}/civitas_wrap.c)
file(GLOB _jswig_deps CONFIGURE_DEPENDS
  ${_jsrc}/civitas.i ${_jsrc}/swig/*.i ${PROJECT_SOURCE_DIR}/capi/include/civitas/*.h)
add_custom_command(
  OUTPUT ${_jwrap}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${_jgen}/java
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_jgen}/java/org/civitas/internal
  COMMAND ${SWIG_EXECUTABLE} -java -package org.civitas.internal
          -outdir ${_jgen}/java/org/civitas/internal -o ${_jwrap}
          -I${_jsrc} -I${PROJECT_SOURCE_DIR}/capi/include -I${PROJECT_BINARY_DIR}/capi/include
          ${_jsrc}/civitas.i
  DEPENDS ${_jswig_deps}
  COMMENT "SWIG: generating the Java binding (org.civitas.internal)"
  VERBATIM)

# ---- the JNI library: wrapper + the C ABI objects + core, all static --------------------
add_library(civitas_jni SHARED ${_jwrap})
target_link_libraries(civitas_jni PRIVATE civitas_capi_obj civitas_core)
target_include_directories(civitas_jni PRIVATE ${JNI_INCLUDE_DIRS})
# Generated code: warnings are shown but are not errors (SWIG's output is not ours to fix);
# SWIG's casts of jlong pointers need -fno-strict-aliasing.
target_compile_options(civitas_jni PRIVATE -Wall -Wextra -Wno-error -fno-strict-aliasing)
target_link_options(civitas_jni PRIVATE
  -Wl,--version-script=${_jsrc}/civitas_jni.map -Wl,--no-undefined -Wl,--as-needed
  -static-libstdc++ -static-libgcc)
set_target_properties(civitas_jni PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${_jbin}/lib
  LINK_DEPENDS ${_jsrc}/civitas_jni.map)

# ---- classes and jar ---------------------------------------------------------------------
file(GLOB_RECURSE _jsources CONFIGURE_DEPENDS ${_jsrc}/src/main/java/*.java)
set(_jclasses ${_jbin}/classes)
# Hand-written sources are listed; javac compiles the generated ones they use from -sourcepath.
add_custom_command(
  OUTPUT ${_jbin}/classes.stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${_jclasses}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_jclasses}
  COMMAND ${Java_JAVAC_EXECUTABLE} --release ${CIVITAS_JAVA_RELEASE} -encoding UTF-8 -Xlint:all,-serial
          -implicit:class -sourcepath ${_jgen}/java -d ${_jclasses} ${_jsources}
  COMMAND ${CMAKE_COMMAND} -E touch ${_jbin}/classes.stamp
  DEPENDS ${_jwrap} ${_jsources}
  COMMENT "javac: org.civitas"
  VERBATIM)

set(_jmanifest ${_jbin}/MANIFEST.MF)
file(CONFIGURE OUTPUT ${_jmanifest} CONTENT
"Automatic-Module-Name: org.civitas
Implementation-Title: civitas
Implementation-Vendor: civitas
Implementation-Version: ${PROJECT_VERSION}
Specification-Version: ${PROJECT_VERSION}
")
set(_jstage ${_jbin}/stage)
set(_jnative ${_jstage}/org/civitas/native/${CIVITAS_JAVA_PLATFORM})
if(CMAKE_STRIP)
  set(_jcopy_lib ${CMAKE_STRIP} --strip-debug -o ${_jnative}/${_jlibname} $<TARGET_FILE:civitas_jni>)
else()
  set(_jcopy_lib ${CMAKE_COMMAND} -E copy $<TARGET_FILE:civitas_jni> ${_jnative}/${_jlibname})
endif()
add_custom_command(
  OUTPUT ${CIVITAS_JAVA_JAR}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${_jstage}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_jnative} ${_jstage}/META-INF/maven/org.civitas/civitas
  COMMAND ${_jcopy_lib}
  COMMAND ${CMAKE_COMMAND} -E copy ${_jsrc}/pom.xml ${_jstage}/META-INF/maven/org.civitas/civitas/pom.xml
  COMMAND ${CMAKE_COMMAND} -E rm -f ${CIVITAS_JAVA_JAR}
  COMMAND ${Java_JAR_EXECUTABLE} --create --file ${CIVITAS_JAVA_JAR} --manifest ${_jmanifest}
          -C ${_jclasses} . -C ${_jstage} .
  DEPENDS ${_jbin}/classes.stamp civitas_jni ${_jmanifest} ${_jsrc}/pom.xml
  COMMENT "jar: java/civitas.jar (with ${CIVITAS_JAVA_PLATFORM}/${_jlibname})"
  VERBATIM)
add_custom_target(civitas_java ALL DEPENDS ${CIVITAS_JAVA_JAR})

install(FILES ${CIVITAS_JAVA_JAR} DESTINATION ${CMAKE_INSTALL_DATADIR}/java COMPONENT java)
install(FILES ${_jsrc}/pom.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/java RENAME civitas.pom COMPONENT java)

# ---- tests (JUnit 5 console launcher from scripts/install-deps) ---------------------------
set(CIVITAS_JUNIT_VERSION 1.11.4)
set(CIVITAS_JUNIT_CONSOLE
  "$ENV{HOME}/.m2/repository/org/junit/platform/junit-platform-console-standalone/${CIVITAS_JUNIT_VERSION}/junit-platform-console-standalone-${CIVITAS_JUNIT_VERSION}.jar"
  CACHE FILEPATH "JUnit Platform console launcher (standalone jar)")
if(CIVITAS_TESTS AND NOT EXISTS "${CIVITAS_JUNIT_CONSOLE}")
  message(WARNING "civitas: ${CIVITAS_JUNIT_CONSOLE} not found (run scripts/install-deps): "
                  "the Java tests are not built")
elseif(CIVITAS_TESTS)
  file(GLOB _jtests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/java/org/civitas/*.java)
  set(_jtclasses ${_jbin}/test-classes)
  set(_jtjar ${_jbin}/tests.jar)
  add_custom_command(
    OUTPUT ${_jtjar}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${_jtclasses}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_jtclasses}
    COMMAND ${Java_JAVAC_EXECUTABLE} --release 17 -encoding UTF-8 -Xlint:all,-serial
            -cp ${CIVITAS_JAVA_JAR}:${CIVITAS_JUNIT_CONSOLE} -d ${_jtclasses} ${_jtests}
    COMMAND ${CMAKE_COMMAND} -E rm -f ${_jtjar}
    COMMAND ${Java_JAR_EXECUTABLE} --create --file ${_jtjar} -C ${_jtclasses} .
    DEPENDS ${_jtests} ${CIVITAS_JAVA_JAR}
    COMMENT "javac: Java tests"
    VERBATIM)
  add_custom_target(civitas_java_tests ALL DEPENDS ${_jtjar})
  add_dependencies(civitas_java_tests civitas_java)

  set(_jt_run -jar ${CIVITAS_JUNIT_CONSOLE} execute --disable-banner --disable-ansi-colors --details=tree
    --class-path ${CIVITAS_JAVA_JAR}:${_jtjar} --select-package org.civitas --fail-if-no-tests)
  # No java.library.path: the library comes out of the jar (the way users get it).
  add_test(NAME java.tests COMMAND ${Java_JAVA_EXECUTABLE}
    -Dcivitas.test.expectLoadedFrom=jar: ${_jt_run})
  # The library from java.library.path (how packagers who install the .so load it).
  add_test(NAME java.librarypath COMMAND ${Java_JAVA_EXECUTABLE}
    -Djava.library.path=${_jbin}/lib -Dcivitas.test.expectLoadedFrom=java.library.path ${_jt_run})
  set_tests_properties(java.tests java.librarypath PROPERTIES TIMEOUT 600 LABELS java)
endif()

if(CIVITAS_EXAMPLES)
  add_subdirectory(${PROJECT_SOURCE_DIR}/examples/java ${PROJECT_BINARY_DIR}/examples/java)
endif()
