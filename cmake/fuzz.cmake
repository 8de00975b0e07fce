# libFuzzer targets (tests/fuzz/*_fuzzer.cpp), built by scripts/fuzz.sh into build-fuzz/ with
# Debian's clang: the core library gets coverage instrumentation and AddressSanitizer +
# UndefinedBehaviorSanitizer, each target links libFuzzer's main. Only with -DMLLAB_BUILD_FUZZERS=ON.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MLLAB_BUILD_FUZZERS needs clang (libFuzzer): configure with CMAKE_CXX_COMPILER=clang++-14")
endif()
set(MLLAB_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
target_compile_options(mllab_core PUBLIC -fsanitize=fuzzer-no-link ${MLLAB_FUZZ_SANITIZERS} -gline-tables-only)
target_link_options(mllab_core INTERFACE ${MLLAB_FUZZ_SANITIZERS})

add_library(mllab_fuzz_entries STATIC tests/fuzz/fuzz_entries.cpp)
target_link_libraries(mllab_fuzz_entries PUBLIC mllab_core)
file(GLOB MLLAB_FUZZERS CONFIGURE_DEPENDS tests/fuzz/*_fuzzer.cpp)
foreach(source ${MLLAB_FUZZERS})
  get_filename_component(name ${source} NAME_WE)
  add_executable(mllab_${name} ${source})
  target_link_libraries(mllab_${name} PRIVATE mllab_fuzz_entries)
  target_link_options(mllab_${name} PRIVATE -fsanitize=fuzzer)
endforeach()
