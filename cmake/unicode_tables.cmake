# The tokenizer's Unicode tables (word characters, lowercase mappings), generated at build time
# from the system Python's Unicode database (the one scikit-learn uses on this machine) into
# ${MLLAB_GENERATED_DIR}, which src/core/ml/text.cpp includes as
# "mllab_generated/unicode_tables.inc". Include after cmake/stop_words.cmake (MLLAB_PYTHON3,
# MLLAB_GENERATED_DIR).
set(MLLAB_UNICODE_TABLES_INC "${MLLAB_GENERATED_DIR}/mllab_generated/unicode_tables.inc")
add_custom_command(
  OUTPUT "${MLLAB_UNICODE_TABLES_INC}"
  COMMAND "${MLLAB_PYTHON3}" "${CMAKE_SOURCE_DIR}/scripts/gen_unicode_tables.py" "${MLLAB_UNICODE_TABLES_INC}"
  DEPENDS "${CMAKE_SOURCE_DIR}/scripts/gen_unicode_tables.py"
  COMMENT "Generating unicode_tables.inc from Python's Unicode database"
  VERBATIM)
target_sources(mllab_core PRIVATE "${MLLAB_UNICODE_TABLES_INC}")
