# The git commit `weld --version` prints, captured at build time (not only at configure
# time, so a rebuild after a new commit shows it). Included by the top-level
# CMakeLists.txt after the `weld` target; run in script mode (-P) to write the header.
if(CMAKE_SCRIPT_MODE_FILE)
  set(commit "unknown")
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE out RESULT_VARIABLE res
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(res EQUAL 0 AND out)
      set(commit "${out}")
      execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
                      WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE dirty ERROR_QUIET)
      if(dirty)
        set(commit "${commit}-dirty")
      endif()
    endif()
  endif()
  set(text "#define WELD_COMMIT \"${commit}\"\n")
  if(EXISTS ${OUT})
    file(READ ${OUT} old)
  endif()
  if(NOT "${old}" STREQUAL "${text}")
    file(WRITE ${OUT} "${text}")
  endif()
  return()
endif()

set(WELD_COMMIT_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(weld_commit
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${WELD_COMMIT_DIR}/weld_commit.h
          -P ${CMAKE_CURRENT_LIST_FILE}
  BYPRODUCTS ${WELD_COMMIT_DIR}/weld_commit.h
  COMMENT "Recording the git commit"
  VERBATIM)
add_dependencies(weld weld_commit)
target_include_directories(weld PRIVATE ${WELD_COMMIT_DIR})
