# Writes OUT (a header) with the commit of the sources in SRC: 12 hex digits, "-dirty" when tracked
# files differ from that commit, "unknown" outside a git checkout. Run at every build by the
# bnbench_git_commit target (harness/CMakeLists.txt), so a result names the commit its binary was
# built from, not the one CMake was configured at; OUT is rewritten only when the text changes, so
# an unchanged commit recompiles nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR NOT commit)
  set(commit unknown)
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY "${SRC}"
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(dirty EQUAL 1)
    string(APPEND commit "-dirty")
  endif()
endif()
set(text "// Generated at build time by cmake/git_commit.cmake: the commit of the sources built.\n#pragma once\n#define BNBENCH_GIT_COMMIT \"${commit}\"\n")
set(previous "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" previous)
endif()
if(NOT previous STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
