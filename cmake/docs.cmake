# Documentation tests: every code block of README.md and docs/**/*.md is extracted and run
# (tests/docs/run_doc_blocks.py; the conventions are in docs/development.md,
# "Documentation tests"). One CTest test per document, `docs.<path>`, label `docs`.
# `python` blocks need the Python binding, `java` blocks the jar: without them those blocks
# are reported as skipped. Not in the sanitizer build (the plain build runs them).
if(NOT CIVITAS_TESTS OR CIVITAS_SANITIZE)
  return()
endif()
if(NOT Python3_EXECUTABLE)
  find_package(Python3 3.8 COMPONENTS Interpreter)
endif()
if(NOT Python3_EXECUTABLE)
  message(STATUS "civitas: no Python interpreter, documentation tests not registered")
  return()
endif()

set(_doc_args --source-dir ${PROJECT_SOURCE_DIR} --civitas $<TARGET_FILE:civitas_cli>
  --lib-dir $<TARGET_FILE_DIR:civitas> --cc ${CMAKE_C_COMPILER}
  --include-dir ${PROJECT_SOURCE_DIR}/capi/include --include-dir ${PROJECT_BINARY_DIR}/capi/include)
if(CIVITAS_PYTHON)
  list(APPEND _doc_args --pythonpath ${PROJECT_BINARY_DIR}/python --python ${Python3_EXECUTABLE})
endif()
if(CIVITAS_JAVA)
  list(APPEND _doc_args --jar ${CIVITAS_JAVA_JAR} --java ${Java_JAVA_EXECUTABLE} --javac ${Java_JAVAC_EXECUTABLE})
endif()

file(GLOB_RECURSE _docs CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
  ${PROJECT_SOURCE_DIR}/docs/*.md)
foreach(_d README.md ${_docs})
  string(REGEX REPLACE "\\.md$" "" _n ${_d})
  string(REPLACE "/" "." _n ${_n})
  string(REGEX REPLACE "^docs\\." "" _n ${_n})
  add_test(NAME docs.${_n}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/docs/run_doc_blocks.py
            ${PROJECT_SOURCE_DIR}/${_d} ${_doc_args})
  set_tests_properties(docs.${_n} PROPERTIES TIMEOUT 300 LABELS docs)
endforeach()

# The runner itself: blocks that must pass and blocks marked xfail that must fail
# (tests/docs/selftest.md), and blocks it must refuse (tests/docs/selftest_bad.md).
add_test(NAME docs.selftest
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/docs/run_doc_blocks.py
          ${PROJECT_SOURCE_DIR}/tests/docs/selftest.md ${_doc_args})
add_test(NAME docs.selftest_refusals
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/docs/run_doc_blocks.py
          ${PROJECT_SOURCE_DIR}/tests/docs/selftest_bad.md ${_doc_args})
set_tests_properties(docs.selftest docs.selftest_refusals PROPERTIES TIMEOUT 300 LABELS docs)
set_tests_properties(docs.selftest_refusals PROPERTIES PASS_REGULAR_EXPRESSION
  "FAIL [^\n]*:3 \\(untagged\\)[^\n]*\nFAIL [^\n]*:7 \\(sh\\)[^\n]*\nFAIL [^\n]*:11 \\(bash\\)[^\n]*\nFAIL [^\n]*:15 \\(pascal\\): unknown tag[^\n]*\nFAIL [^\n]*:20 \\(console\\): marked xfail[^\n]*\n[^\n]*5 blocks, 1 run, 0 skipped, 5 failed")
