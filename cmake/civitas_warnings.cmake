# Project code builds with -Wall -Wextra -Werror; third-party code is not ours to fix.
function(civitas_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)
endfunction()
