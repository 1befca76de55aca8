if(NOT CIVITAS_JAVA)
  return()
endif()
