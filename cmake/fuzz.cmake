# Fuzz targets: one per input format, fuzz/<format>_fuzzer.cpp (defines LLVMFuzzerTestOneInput),
# with its committed seed corpus in fuzz/corpus/<format>/. Adding both files is all it takes:
#
#  a) Always, when tests are on, with any compiler: <format>_fuzzer.cpp + fuzz/replay_main.cpp
#     -> fuzz_replay_<format>, and the CTest test `fuzz.replay.<format>` runs it over the
#     committed corpus, so that fuzzers never rot and past crashers stay fixed.
#  b) With CIVITAS_FUZZ=ON and clang: a real libFuzzer binary bin/fuzz/<format>_fuzzer
#     (-fsanitize=fuzzer plus ASan/UBSan) over a coverage-instrumented copy of the core, and
#     the CTest test `fuzz.run.<format>` that fuzzes for CIVITAS_FUZZ_SECONDS over a copy of
#     the corpus in the build tree. scripts/fuzz runs the same binaries for longer.
#
# This file is also a script: `cmake -DFUZZER=… -DCORPUS=… -DWORK=… -DSECONDS=… -P fuzz.cmake`
# copies CORPUS to WORK (the committed corpus is never written) and runs FUZZER over it.

if(CMAKE_SCRIPT_MODE_FILE)
  foreach(_v FUZZER CORPUS WORK SECONDS)
    if(NOT DEFINED ${_v})
      message(FATAL_ERROR "fuzz.cmake -P: ${_v} is not set")
    endif()
  endforeach()
  file(REMOVE_RECURSE "${WORK}")
  file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
  file(GLOB _seeds "${CORPUS}/*")
  if(_seeds)
    file(COPY ${_seeds} DESTINATION "${WORK}/corpus")
  endif()
  execute_process(
    COMMAND "${FUZZER}" -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=4096
            -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/ "${WORK}/corpus"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    file(GLOB _crashes "${WORK}/artifacts/*")
    message(FATAL_ERROR "${FUZZER} failed (${_rc}); reproducer(s): ${_crashes}\n"
                        "Reproduce with: ${FUZZER} <file>; once fixed, add the file to ${CORPUS}/")
  endif()
  return()
endif()

set(CIVITAS_FUZZ_SECONDS 20 CACHE STRING "Seconds each libFuzzer target runs in its CTest test fuzz.run.<format>")

if(NOT CIVITAS_TESTS AND NOT CIVITAS_FUZZ)
  return()
endif()

file(GLOB CIVITAS_FUZZ_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/*_fuzzer.cpp)
set(_fuzz_corpora ${PROJECT_SOURCE_DIR}/fuzz/corpus)

function(civitas_fuzz_format src out)
  get_filename_component(_n ${src} NAME_WE)
  string(REGEX REPLACE "_fuzzer$" "" _n ${_n})
  set(${out} ${_n} PARENT_SCOPE)
endfunction()

# a) Replay drivers and fuzz.replay.<format>.
if(CIVITAS_TESTS)
  foreach(_src IN LISTS CIVITAS_FUZZ_SOURCES)
    civitas_fuzz_format(${_src} _fmt)
    if(NOT IS_DIRECTORY ${_fuzz_corpora}/${_fmt})
      message(FATAL_ERROR "fuzz target ${_src} has no seed corpus ${_fuzz_corpora}/${_fmt}/")
    endif()
    add_executable(fuzz_replay_${_fmt} ${_src} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    target_link_libraries(fuzz_replay_${_fmt} PRIVATE civitas_core)
    set_target_properties(fuzz_replay_${_fmt} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
    civitas_strict_warnings(fuzz_replay_${_fmt})
    add_test(NAME fuzz.replay.${_fmt} COMMAND fuzz_replay_${_fmt} ${_fuzz_corpora}/${_fmt})
    set_tests_properties(fuzz.replay.${_fmt} PROPERTIES TIMEOUT 300 LABELS fuzz)
  endforeach()
endif()

# b) libFuzzer binaries and fuzz.run.<format>.
if(NOT CIVITAS_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(WARNING "CIVITAS_FUZZ needs clang (libFuzzer); ${CMAKE_CXX_COMPILER_ID} builds only the "
                  "fuzz.replay.* drivers. Configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang.")
  return()
endif()

# With CIVITAS_SANITIZE the global flags already carry ASan/UBSan; otherwise add them here.
if(CIVITAS_SANITIZE)
  set(_fuzz_san "")
else()
  set(_fuzz_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
endif()

# A copy of the core compiled with coverage instrumentation (-fsanitize=fuzzer-no-link), so
# that libFuzzer is guided by the code under test and not only by the target's own file.
# The plain civitas_core stays uninstrumented for everything else in this build; generated
# sources (embedded data tables) are not copied: the linker takes them from civitas_core.
get_target_property(_core_sources civitas_core SOURCES)
get_target_property(_core_dir civitas_core SOURCE_DIR)
set(_fuzz_core_sources "")
foreach(_s IN LISTS _core_sources)
  if(NOT IS_ABSOLUTE ${_s})
    set(_s ${_core_dir}/${_s})
  endif()
  if(_s MATCHES "^${PROJECT_BINARY_DIR}/")
    continue()
  endif()
  list(APPEND _fuzz_core_sources ${_s})
endforeach()
add_library(civitas_core_fuzz STATIC ${_fuzz_core_sources})
target_include_directories(civitas_core_fuzz PRIVATE $<TARGET_PROPERTY:civitas_core,INCLUDE_DIRECTORIES>)
target_compile_definitions(civitas_core_fuzz PRIVATE $<TARGET_PROPERTY:civitas_core,COMPILE_DEFINITIONS>)
target_compile_options(civitas_core_fuzz PRIVATE $<TARGET_PROPERTY:civitas_core,COMPILE_OPTIONS>
                       -fsanitize=fuzzer-no-link ${_fuzz_san})
target_link_libraries(civitas_core_fuzz PUBLIC civitas_core
                      PRIVATE "$<TARGET_PROPERTY:civitas_core,LINK_LIBRARIES>")

set(CIVITAS_FUZZ_TARGETS "")
foreach(_src IN LISTS CIVITAS_FUZZ_SOURCES)
  civitas_fuzz_format(${_src} _fmt)
  add_executable(${_fmt}_fuzzer ${_src})
  target_link_libraries(${_fmt}_fuzzer PRIVATE civitas_core_fuzz)
  target_compile_options(${_fmt}_fuzzer PRIVATE -fsanitize=fuzzer ${_fuzz_san})
  target_link_options(${_fmt}_fuzzer PRIVATE -fsanitize=fuzzer ${_fuzz_san})
  set_target_properties(${_fmt}_fuzzer PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin/fuzz)
  civitas_strict_warnings(${_fmt}_fuzzer)
  list(APPEND CIVITAS_FUZZ_TARGETS ${_fmt}_fuzzer)
  if(CIVITAS_TESTS)
    add_test(NAME fuzz.run.${_fmt}
             COMMAND ${CMAKE_COMMAND} -DFUZZER=$<TARGET_FILE:${_fmt}_fuzzer>
                     -DCORPUS=${_fuzz_corpora}/${_fmt} -DWORK=${PROJECT_BINARY_DIR}/fuzz/run/${_fmt}
                     -DSECONDS=${CIVITAS_FUZZ_SECONDS} -P ${CMAKE_CURRENT_LIST_FILE})
    math(EXPR _timeout "${CIVITAS_FUZZ_SECONDS} * 3 + 120")
    set_tests_properties(fuzz.run.${_fmt} PROPERTIES TIMEOUT ${_timeout} LABELS fuzz)
  endif()
endforeach()
add_custom_target(fuzzers DEPENDS ${CIVITAS_FUZZ_TARGETS})
