if(NOT CIVITAS_PYTHON)
  return()
endif()
