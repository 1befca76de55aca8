# Project code builds with -Wall -Wextra -Werror; third-party code is not ours to fix.
#
# GCC 12 at -O3 reports a false -Wrestrict inside libstdc++'s std::string concatenation
# (char_traits.h, "accessing 9223372036854775810 or more bytes"; GCC bug 105651, fixed in
# GCC 13). It comes from the standard headers, not from our code, so on GCC 12 it stays a
# warning instead of failing Release builds.
function(civitas_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict>)
endfunction()
