# Writes generated/core/Version.h with the commit the build is made from, at every build (not
# only at configure time), so --version and benchmark records never name a stale commit.
# configure_file leaves the file untouched when nothing changed: no needless recompiles.
# Run as: cmake -DSOURCE_DIR=... -DINPUT=... -DOUTPUT=... -DPROJECT_VERSION=... -P WriteVersion.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE SCALEML_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT SCALEML_GIT_COMMIT)
  set(SCALEML_GIT_COMMIT "unknown")
else()
  # Tracked files changed since that commit: the binary is not exactly that commit.
  execute_process(COMMAND git status --porcelain --untracked-files=no
                  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE changes ERROR_QUIET)
  if(changes)
    string(APPEND SCALEML_GIT_COMMIT "-dirty")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
