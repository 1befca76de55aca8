if(NOT CIVITAS_BENCH)
  return()
endif()
# Benchmarks: bench/bench_<module>.cpp -> bin/bench/bench_<module>, a Google Benchmark program
# linking the C++ core and the C library (so it can time both APIs). Whole-process peer
# comparisons are scripts in bench/ (e.g. stdnum_compare.py); scripts/bench runs everything and
# docs/benchmarks.md records the figures.
#
# Benchmarks are not tests (tests do not time things). The one CTest test, `bench.smoke`, runs
# every bench program once on tiny data to prove it still works: each program accepts
# --n=<count> (size of the data it generates) before the Google Benchmark flags.
# This file is also that test's script: cmake -DCIVITAS_BENCH=ON -DPROGRAMS=a|b -P bench.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  string(REPLACE "|" ";" PROGRAMS "${PROGRAMS}")
  foreach(_p IN LISTS PROGRAMS)
    # Benchmark 1.7.1 (Debian 12) takes --benchmark_min_time as plain seconds (no "s" suffix).
    execute_process(COMMAND "${_p}" --n=2000 --benchmark_min_time=0.01 RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "${_p} failed (${_rc})")
    endif()
  endforeach()
  return()
endif()

find_package(benchmark REQUIRED)

file(GLOB _bench_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/bench_*.cpp)
set(CIVITAS_BENCH_TARGETS "")
set(_bench_files "")
foreach(_src IN LISTS _bench_sources)
  get_filename_component(_name ${_src} NAME_WE)
  add_executable(${_name} ${_src})
  target_link_libraries(${_name} PRIVATE civitas_core civitas benchmark::benchmark)
  set_target_properties(${_name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin/bench)
  civitas_strict_warnings(${_name})
  list(APPEND CIVITAS_BENCH_TARGETS ${_name})
  list(APPEND _bench_files $<TARGET_FILE:${_name}>)
endforeach()
add_custom_target(benchmarks DEPENDS ${CIVITAS_BENCH_TARGETS})

if(CIVITAS_TESTS AND CIVITAS_BENCH_TARGETS)
  string(REPLACE ";" "|" _bench_list "${_bench_files}")
  add_test(NAME bench.smoke
           COMMAND ${CMAKE_COMMAND} -DCIVITAS_BENCH=ON "-DPROGRAMS=${_bench_list}" -P ${CMAKE_CURRENT_LIST_FILE})
  set_tests_properties(bench.smoke PROPERTIES TIMEOUT 300 LABELS bench)
endif()
