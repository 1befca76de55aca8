# Every dependency comes from Debian 12 packages installed by scripts/install-deps.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(SQLCIPHER REQUIRED IMPORTED_TARGET sqlcipher)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
# RE2 (libre2-dev): linear-time regular expressions for Table Schema "pattern" constraints.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)

# GB/T 2260 division table source: python-stdnum's stdnum/cn/loc.dat (a union of the
# 2002-2014 revisions). Generated into the build at build time; never committed.
if(NOT CIVITAS_DIVISION_SOURCE)
  find_file(CIVITAS_DIVISION_SOURCE loc.dat
    PATHS /usr/lib/python3/dist-packages/stdnum/cn
          /usr/share/python3/dist-packages/stdnum/cn
    NO_DEFAULT_PATH)
  if(NOT CIVITAS_DIVISION_SOURCE)
    find_package(Python3 COMPONENTS Interpreter)
    if(Python3_Interpreter_FOUND)
      execute_process(COMMAND ${Python3_EXECUTABLE} -c
        "import os, stdnum.cn; print(os.path.join(os.path.dirname(stdnum.cn.__file__), 'loc.dat'))"
        OUTPUT_VARIABLE _loc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(_loc AND EXISTS "${_loc}")
        set(CIVITAS_DIVISION_SOURCE "${_loc}" CACHE FILEPATH "GB/T 2260 table (stdnum loc.dat format)" FORCE)
      endif()
    endif()
  endif()
endif()
if(NOT CIVITAS_DIVISION_SOURCE OR NOT EXISTS "${CIVITAS_DIVISION_SOURCE}")
  message(FATAL_ERROR "GB/T 2260 table not found: install python3-stdnum (scripts/install-deps) "
                      "or set -DCIVITAS_DIVISION_SOURCE=/path/to/loc.dat")
endif()
message(STATUS "civitas: GB/T 2260 table from ${CIVITAS_DIVISION_SOURCE}")
