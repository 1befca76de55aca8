if(NOT CIVITAS_SANITIZE_SUBBUILD)
  return()
endif()
