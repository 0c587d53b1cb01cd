# Backend registration: each impls/<name>/CMakeLists.txt calls bnbench_add_backend(), which builds
# its sources into a library and records the name; bnbench_finish_registry() then generates the
# list that harness/registry.cpp includes, so enabled backends register themselves and disabled
# ones (missing dependency) are simply absent.

# bnbench_dependency_option(NAME DOC): a tri-state AUTO/ON/OFF cache option.
function(bnbench_dependency_option name doc)
  set(${name} AUTO CACHE STRING "${doc} (AUTO, ON, OFF)")
  set_property(CACHE ${name} PROPERTY STRINGS AUTO ON OFF)
endfunction()

# bnbench_skip_backend(NAME OPTION REASON): message (or error when the option is ON).
function(bnbench_skip_backend name option reason)
  if("${${option}}" STREQUAL "ON")
    message(FATAL_ERROR "backend ${name}: ${option}=ON but ${reason}")
  endif()
  message(STATUS "bnbench: backend '${name}' left out: ${reason}")
  set_property(GLOBAL APPEND PROPERTY BNBENCH_SKIPPED_BACKENDS "${name}: ${reason}")
endfunction()

# bnbench_add_backend(NAME SOURCES src... [LIBRARIES lib...] [REGISTER fn_suffix...])
function(bnbench_add_backend name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(bnbench_backend_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(bnbench_backend_${name} PUBLIC bnbench_core ${ARG_LIBRARIES})
  set_property(GLOBAL APPEND PROPERTY BNBENCH_BACKENDS ${name})
  message(STATUS "bnbench: backend '${name}' enabled")
endfunction()

function(bnbench_finish_registry)
  get_property(names GLOBAL PROPERTY BNBENCH_BACKENDS)
  get_property(skipped GLOBAL PROPERTY BNBENCH_SKIPPED_BACKENDS)
  set(lines "")
  foreach(n IN LISTS names)
    string(APPEND lines "BNBENCH_BACKEND(${n})\n")
  endforeach()
  set(skipped_lines "")
  foreach(s IN LISTS skipped)
    string(APPEND skipped_lines "\"${s}\",\n")
  endforeach()
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/generated/registry_list.inc CONTENT "${lines}")
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/generated/skipped_backends.inc
       CONTENT "${skipped_lines}")
  add_library(bnbench_registry STATIC ${PROJECT_SOURCE_DIR}/harness/registry.cpp)
  target_include_directories(bnbench_registry PRIVATE ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(bnbench_registry PUBLIC bnbench_core)
  foreach(n IN LISTS names)
    target_link_libraries(bnbench_registry PUBLIC bnbench_backend_${n})
  endforeach()
endfunction()

# bnbench_backend_option(NAME OPTION DOC): declares OPTION (AUTO/ON/OFF) and, when it is OFF,
# records the skip and leaves the calling impls/ folder (a macro, so return() applies there).
macro(bnbench_backend_option name option doc)
  bnbench_dependency_option(${option} "${doc}")
  if(${option} STREQUAL "OFF")
    bnbench_skip_backend(${name} ${option} "${option}=OFF")
    return()
  endif()
endmacro()
