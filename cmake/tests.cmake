# The GoogleTest suite: natively against Debian's GTest, in wasm against gtest built from
# /usr/src/googletest (TOOLCHAIN.md pitfall 2), run under node.
if(EMSCRIPTEN)
  set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
  set(MLLAB_GTEST gtest gtest_main)
else()
  find_package(GTest REQUIRED)
  set(MLLAB_GTEST GTest::gtest GTest::gtest_main)
endif()

file(GLOB_RECURSE MLLAB_TEST_SOURCES CONFIGURE_DEPENDS tests/core/*.cpp tests/platform/*.cpp)
# tests/app: the app's ImGui-free code (the chart module's scale maths, input trickling), compiled in here.
file(GLOB MLLAB_APP_TEST_SOURCES CONFIGURE_DEPENDS tests/app/*.cpp)
list(APPEND MLLAB_TEST_SOURCES ${MLLAB_APP_TEST_SOURCES} src/app/charts/scale.cpp src/app/input/trickle.cpp)
# tests/fuzz/fuzz_entries.cpp: the fuzz targets' entry functions, replayed by fuzz_regressions_test.cpp.
add_executable(mllab_tests ${MLLAB_TEST_SOURCES} tests/fuzz/fuzz_entries.cpp)
target_link_libraries(mllab_tests PRIVATE mllab_platform mllab_idb_fake ${MLLAB_GTEST})
# The test sources themselves build without optimization: they are large (GoogleTest macros) and
# their own code is light, while the code under test comes optimized from the libraries. This
# halves the suite's build time (em++ -O3 takes ~40 s for some test files). The wasm link also
# skips binaryen's heaviest passes.
target_compile_options(mllab_tests PRIVATE -O0)
if(MLLAB_PCH)
  target_precompile_headers(mllab_tests PRIVATE <gtest/gtest.h> ${MLLAB_PCH_HEADERS})
endif()
if(EMSCRIPTEN)
  target_link_options(mllab_tests PRIVATE -O1)
endif()
# Tests read their fixture files (tests/data, assets/datasets) from the source tree.
target_compile_definitions(mllab_tests PRIVATE MLLAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
if(NOT EMSCRIPTEN)
  # g++ 12 reports false -Wrestrict positives inside std::string concatenation (GCC bug 105329).
  target_compile_options(mllab_tests PRIVATE -Wno-restrict)
endif()
if(EMSCRIPTEN)
  # Node-only target: synchronous compile avoids node's fetch (pitfall 3); NODERAWFS lets the
  # tests read fixtures from the real file system.
  target_link_options(mllab_tests PRIVATE -sWASM_ASYNC_COMPILATION=0 -sNODERAWFS=1
                      -sENVIRONMENT=node -sINITIAL_MEMORY=64MB)
  add_test(NAME mllab_tests_wasm COMMAND mllab_tests)
else()
  add_test(NAME mllab_tests_native COMMAND mllab_tests)
endif()
