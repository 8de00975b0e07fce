# scikit-learn's ENGLISH_STOP_WORDS, generated at build time from Debian's python3-sklearn
# (never copied into the repository) into ${CMAKE_BINARY_DIR}/generated, which
# src/core/ml/stop_words.cpp includes as "mllab_generated/english_stop_words.inc".
# Include after mllab_core is defined: include(cmake/stop_words.cmake).
set(MLLAB_SKLEARN_STOP_WORDS
    "/usr/lib/python3/dist-packages/sklearn/feature_extraction/_stop_words.py"
    CACHE FILEPATH "scikit-learn's _stop_words.py (Debian package python3-sklearn)")
if(NOT EXISTS "${MLLAB_SKLEARN_STOP_WORDS}")
  message(FATAL_ERROR "${MLLAB_SKLEARN_STOP_WORDS} not found: apt-get install python3-sklearn "
                      "(or set MLLAB_SKLEARN_STOP_WORDS)")
endif()
# The generator needs only the standard library; prefer the system interpreter.
find_program(MLLAB_PYTHON3 NAMES python3 HINTS /usr/bin NO_DEFAULT_PATH)
if(NOT MLLAB_PYTHON3)
  find_program(MLLAB_PYTHON3 NAMES python3 REQUIRED)
endif()

set(MLLAB_GENERATED_DIR "${CMAKE_BINARY_DIR}/generated")
set(MLLAB_STOP_WORDS_INC "${MLLAB_GENERATED_DIR}/mllab_generated/english_stop_words.inc")
add_custom_command(
  OUTPUT "${MLLAB_STOP_WORDS_INC}"
  COMMAND "${MLLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/gen_stop_words.py"
          "${MLLAB_SKLEARN_STOP_WORDS}" "${MLLAB_STOP_WORDS_INC}"
  DEPENDS "${CMAKE_SOURCE_DIR}/scripts/gen_stop_words.py" "${MLLAB_SKLEARN_STOP_WORDS}"
  COMMENT "Generating english_stop_words.inc from scikit-learn"
  VERBATIM)
# Listing the generated file as a source makes it exist before mllab_core compiles.
target_sources(mllab_core PRIVATE "${MLLAB_STOP_WORDS_INC}")
target_include_directories(mllab_core PRIVATE "${MLLAB_GENERATED_DIR}")
