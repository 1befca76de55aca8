if(NOT CIVITAS_BENCH)
  return()
endif()
