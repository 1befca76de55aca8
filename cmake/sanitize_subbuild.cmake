# The C++ and C tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and the
# libFuzzer targets, built by clang in a sub-build (build/sanitize) of this same source tree,
# and registered in this build's CTest as `sanitize.<test>`, so that one `ctest` run — one
# summary — covers everything.
if(NOT CIVITAS_SANITIZE_SUBBUILD OR NOT CIVITAS_TESTS)
  return()
endif()

find_program(CIVITAS_CLANG clang)
find_program(CIVITAS_CLANGXX clang++)
if(NOT CIVITAS_CLANG OR NOT CIVITAS_CLANGXX)
  message(FATAL_ERROR "CIVITAS_SANITIZE_SUBBUILD needs clang and clang++ (scripts/install-deps installs them)")
endif()

include(ExternalProject)
set(_san_dir ${PROJECT_BINARY_DIR}/sanitize)
ExternalProject_Add(civitas_sanitize_subbuild
  SOURCE_DIR ${PROJECT_SOURCE_DIR}
  BINARY_DIR ${_san_dir}
  CMAKE_ARGS
    -DCMAKE_C_COMPILER=${CIVITAS_CLANG}
    -DCMAKE_CXX_COMPILER=${CIVITAS_CLANGXX}
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DCIVITAS_SANITIZE=ON
    -DCIVITAS_FUZZ=ON
    -DCIVITAS_PYTHON=OFF
    -DCIVITAS_JAVA=OFF
    -DCIVITAS_BENCH=OFF
    -DCIVITAS_EXAMPLES=OFF
    -DCIVITAS_SANITIZE_SUBBUILD=OFF
    -DCIVITAS_DIVISION_SOURCE=${CIVITAS_DIVISION_SOURCE}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  USES_TERMINAL_BUILD ON)

# The tests the sub-build registers, by name: core.<module>, capi.<file>, fuzz.run.<format>.
set(_san_tests "")
foreach(_t IN LISTS CIVITAS_CORE_TEST_TARGETS)
  string(REGEX REPLACE "^test_" "core." _n ${_t})
  list(APPEND _san_tests ${_n})
endforeach()
foreach(_t IN LISTS CIVITAS_C_TEST_TARGETS)
  string(REGEX REPLACE "^capi_" "capi." _n ${_t})
  list(APPEND _san_tests ${_n})
endforeach()
file(GLOB _fuzzers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/*_fuzzer.cpp)
foreach(_f IN LISTS _fuzzers)
  get_filename_component(_n ${_f} NAME_WE)
  string(REGEX REPLACE "_fuzzer$" "" _n ${_n})
  list(APPEND _san_tests fuzz.run.${_n})
endforeach()

foreach(_n IN LISTS _san_tests)
  add_test(NAME sanitize.${_n}
           COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${_san_dir} -R "^${_n}$" --output-on-failure --no-tests=error)
  set_tests_properties(sanitize.${_n} PROPERTIES TIMEOUT 900 LABELS sanitize
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endforeach()
