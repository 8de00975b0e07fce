# `mllab models serve`: the MLflow-compatible scoring server, native only (the node/wasm build of
# the CLI has no sockets; src/cli/main.cpp declares the subcommand only when MLLAB_WITH_SERVE,
# defined here, is set). Include at the end of CMakeLists.txt, after cmake/tests.cmake:
#   include(cmake/serve.cmake)
#
# HTTP comes from Debian's libcpp-httplib-dev, which is NOT header-only: httplib.h only declares,
# the code is in libcpp-httplib.so, built with OpenSSL, zlib and Brotli support. Code including
# httplib.h must be compiled with the same CPPHTTPLIB_*_SUPPORT definitions (they change class
# layouts), so they come from the package's pkg-config file.
if(EMSCRIPTEN)
  return()
endif()

find_package(Threads REQUIRED)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(MLLAB_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
endif()
if(TARGET PkgConfig::MLLAB_HTTPLIB)
  add_library(mllab_httplib INTERFACE)
  target_link_libraries(mllab_httplib INTERFACE PkgConfig::MLLAB_HTTPLIB Threads::Threads)
else()
  # No pkg-config: Debian bookworm's package, by hand (same definitions as its cpp-httplib.pc).
  find_path(MLLAB_HTTPLIB_INCLUDE httplib.h)
  find_library(MLLAB_HTTPLIB_LIBRARY cpp-httplib)
  if(NOT MLLAB_HTTPLIB_INCLUDE OR NOT MLLAB_HTTPLIB_LIBRARY)
    message(FATAL_ERROR "cpp-httplib not found: apt-get install libcpp-httplib-dev (scripts/setup.sh)")
  endif()
  add_library(mllab_httplib INTERFACE)
  target_include_directories(mllab_httplib SYSTEM INTERFACE ${MLLAB_HTTPLIB_INCLUDE})
  target_compile_definitions(mllab_httplib INTERFACE CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT
                             CPPHTTPLIB_BROTLI_SUPPORT)
  target_link_libraries(mllab_httplib INTERFACE ${MLLAB_HTTPLIB_LIBRARY} Threads::Threads)
endif()

# The CLI gets the server and the `models serve` command.
target_sources(mllab PRIVATE src/cli/serve.cpp src/cli/serve_command.cpp)
target_link_libraries(mllab PRIVATE mllab_httplib)
target_compile_definitions(mllab PRIVATE MLLAB_WITH_SERVE)

# The server's tests: real HTTP on 127.0.0.1 (threads and sockets, so never in the wasm suite).
if(MLLAB_BUILD_TESTS)
  file(GLOB MLLAB_SERVE_TEST_SOURCES CONFIGURE_DEPENDS tests/serve/*.cpp)
  add_executable(mllab_serve_tests ${MLLAB_SERVE_TEST_SOURCES} src/cli/serve.cpp)
  target_link_libraries(mllab_serve_tests PRIVATE mllab_platform mllab_idb_fake mllab_httplib ${MLLAB_GTEST})
  # MLLAB_VERSION comes with mllab_core (a PUBLIC definition); the fixtures live in the source tree.
  target_compile_definitions(mllab_serve_tests PRIVATE MLLAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  # g++ 12 reports false -Wrestrict positives inside std::string concatenation (GCC bug 105329).
  target_compile_options(mllab_serve_tests PRIVATE -Wno-restrict -O0)
  add_test(NAME mllab_serve_tests COMMAND mllab_serve_tests)
endif()
