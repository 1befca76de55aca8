if(NOT CIVITAS_PYTHON)
  return()
endif()
# The Python binding: the `civitas` package = pure-Python wrappers (bindings/python/civitas/
# *.py) over the pybind11 extension civitas._native (bindings/python/src/*.cpp), which links
# civitas_core statically. The package is assembled in ${PROJECT_BINARY_DIR}/python/civitas,
# so `PYTHONPATH=<build>/python python -c "import civitas"` works from the build tree.
#
# Adding a module's binding needs no change here: bindings/python/src/<module>.cpp and
# civitas/<module>.py are globbed, tests/python/test_*.py and examples/python/*.py are
# registered as CTest tests (`python.<file>`, `example.python.<file>`). See docs/python.md.
#
# Built for, and tested with, one interpreter: Python3_EXECUTABLE (the Makefile passes the
# project's .venv; a wheel build passes the build environment's interpreter).

find_package(Python3 3.8 REQUIRED COMPONENTS Interpreter Development.Module)
# After Python3, so pybind11 uses FindPython3's targets (its "new" mode).
find_package(pybind11 2.10 CONFIG REQUIRED)
message(STATUS "civitas: Python binding for ${Python3_EXECUTABLE} (${Python3_VERSION}), pybind11 ${pybind11_VERSION}")

set(CIVITAS_PYTHON_INSTALL_DIR "lib/python3/dist-packages" CACHE STRING
    "Directory (relative to the install prefix) that receives the civitas/ package")

set(_py_src ${PROJECT_SOURCE_DIR}/bindings/python)
set(_py_pkg ${PROJECT_BINARY_DIR}/python/civitas)

file(GLOB _py_native_sources CONFIGURE_DEPENDS ${_py_src}/src/*.cpp)
pybind11_add_module(civitas_python_native MODULE NO_EXTRAS ${_py_native_sources})
set_target_properties(civitas_python_native PROPERTIES
  OUTPUT_NAME _native
  LIBRARY_OUTPUT_DIRECTORY ${_py_pkg})
target_link_libraries(civitas_python_native PRIVATE civitas_core)
target_compile_definitions(civitas_python_native PRIVATE CIVITAS_VERSION="${PROJECT_VERSION}")
civitas_strict_warnings(civitas_python_native)

# Pure-Python files (and the stub of the extension, _native.pyi) are copied next to the
# extension at build time.
file(GLOB _py_files CONFIGURE_DEPENDS ${_py_src}/civitas/*.py ${_py_src}/civitas/*.pyi)
list(APPEND _py_files ${_py_src}/civitas/py.typed)
set(_py_copies "")
foreach(_f IN LISTS _py_files)
  get_filename_component(_n ${_f} NAME)
  add_custom_command(OUTPUT ${_py_pkg}/${_n}
    COMMAND ${CMAKE_COMMAND} -E copy ${_f} ${_py_pkg}/${_n}
    DEPENDS ${_f}
    COMMENT "Copying civitas/${_n}"
    VERBATIM)
  list(APPEND _py_copies ${_py_pkg}/${_n})
endforeach()
# `civitas_python`: the whole package in the build tree (the wheel build builds only this).
add_custom_target(civitas_python ALL DEPENDS ${_py_copies} civitas_python_native)

install(TARGETS civitas_python_native
  LIBRARY DESTINATION ${CIVITAS_PYTHON_INSTALL_DIR}/civitas COMPONENT python)
install(FILES ${_py_files}
  DESTINATION ${CIVITAS_PYTHON_INSTALL_DIR}/civitas COMPONENT python)

if(CIVITAS_TESTS)
  set(_py_env
    PYTHONPATH=${PROJECT_BINARY_DIR}/python
    PYTHONDONTWRITEBYTECODE=1
    CIVITAS_SOURCE_DIR=${PROJECT_SOURCE_DIR}
    CIVITAS_TEST_DATA=${PROJECT_SOURCE_DIR}/tests/data)
  if(CIVITAS_SANITIZE)
    # The interpreter is not instrumented: the sanitizer runtime must be loaded first.
    if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
        OUTPUT_VARIABLE _rt OUTPUT_STRIP_TRAILING_WHITESPACE)
      set(_preload "${_rt}/libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so")
    else()
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
        OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libubsan.so
        OUTPUT_VARIABLE _ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
      set(_preload "${_asan}:${_ubsan}")
    endif()
    list(APPEND _py_env "LD_PRELOAD=${_preload}" ASAN_OPTIONS=detect_leaks=0)
  endif()

  # tests/python/test_<x>.py -> CTest `python.test_<x>`, run by pytest on the build tree.
  file(GLOB _py_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/python/test_*.py)
  foreach(_t IN LISTS _py_tests)
    get_filename_component(_n ${_t} NAME_WE)
    add_test(NAME python.${_n}
      COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${_t}
      WORKING_DIRECTORY ${PROJECT_BINARY_DIR}/python)
    set_tests_properties(python.${_n} PROPERTIES
      ENVIRONMENT "${_py_env}" TIMEOUT 600 LABELS python)
  endforeach()

  # Opt-in: `pip install` works — the wheel, built offline from the source tree, installs
  # into a fresh venv and imports (tests/python/pip_install.py). Off by default because it
  # recompiles the core: about 10 minutes on a first run on a busy 2-core machine.
  option(CIVITAS_PYTHON_PIP_TEST "Register the CTest test python.pip_install" OFF)
  if(CIVITAS_PYTHON_PIP_TEST)
    add_test(NAME python.pip_install
      COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/python/pip_install.py
              ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/pip-install-test
              ${PROJECT_VERSION})
    set_tests_properties(python.pip_install PROPERTIES
      TIMEOUT 1800 LABELS python SKIP_RETURN_CODE 77)
  endif()

  # examples/python/<x>.py -> CTest `example.python.<x>` (exit status 0 = pass).
  if(CIVITAS_EXAMPLES)
    file(GLOB _py_examples CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/python/*.py)
    foreach(_e IN LISTS _py_examples)
      get_filename_component(_n ${_e} NAME_WE)
      add_test(NAME example.python.${_n}
        COMMAND ${Python3_EXECUTABLE} ${_e}
        WORKING_DIRECTORY ${PROJECT_BINARY_DIR}/python)
      set_tests_properties(example.python.${_n} PROPERTIES
        ENVIRONMENT "${_py_env}" TIMEOUT 120 LABELS "python;example")
    endforeach()
  endif()
endif()
