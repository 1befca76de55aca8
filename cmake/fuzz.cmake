if(NOT CIVITAS_FUZZ)
  return()
endif()
