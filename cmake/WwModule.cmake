# ww_module(NAME DIR [DEPS ...]): a static library from every .cc in DIR.
# Folders grow file by file without editing the build; a folder with no
# sources yet becomes an INTERFACE library so dependants still link.
function(ww_module name dir)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cc)
  if(srcs)
    add_library(${name} STATIC ${srcs})
    target_link_libraries(${name} PUBLIC ${M_DEPS})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ${M_DEPS})
  endif()
endfunction()
