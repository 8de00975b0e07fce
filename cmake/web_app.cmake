# The web app: Dear ImGui (Debian's source package, fetched into third_party/ by
# scripts/setup.sh) + GLFW/WebGL2 + the IndexedDB bridge, linked to web/dist/mllab.js.
if(NOT EXISTS "${MLLAB_IMGUI_DIR}/imgui.cpp")
  message(FATAL_ERROR "Dear ImGui sources not found in ${MLLAB_IMGUI_DIR}; run scripts/setup.sh")
endif()

add_library(imgui STATIC
  ${MLLAB_IMGUI_DIR}/imgui.cpp ${MLLAB_IMGUI_DIR}/imgui_draw.cpp ${MLLAB_IMGUI_DIR}/imgui_tables.cpp
  ${MLLAB_IMGUI_DIR}/imgui_widgets.cpp ${MLLAB_IMGUI_DIR}/imgui_demo.cpp
  ${MLLAB_IMGUI_DIR}/misc/cpp/imgui_stdlib.cpp
  ${MLLAB_IMGUI_DIR}/backends/imgui_impl_glfw.cpp ${MLLAB_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
target_include_directories(imgui SYSTEM PUBLIC ${MLLAB_IMGUI_DIR} ${MLLAB_IMGUI_DIR}/backends ${MLLAB_IMGUI_DIR}/misc/cpp)
# WebGL2 (TOOLCHAIN.md pitfall 7).
target_compile_definitions(imgui PUBLIC IMGUI_IMPL_OPENGL_ES3)
target_compile_options(imgui PRIVATE -Wno-everything)

file(GLOB_RECURSE MLLAB_APP_SOURCES CONFIGURE_DEPENDS src/app/*.cpp)
add_executable(mllab_web ${MLLAB_APP_SOURCES})
target_link_libraries(mllab_web PRIVATE mllab_platform imgui)
set_target_properties(mllab_web PROPERTIES OUTPUT_NAME mllab SUFFIX ".js"
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/dist)

# Built-in datasets and fonts go into the virtual file system (mllab.data). Fonts are copied from
# Debian's packages at build time, never committed.
set(MLLAB_FS_DIR ${CMAKE_BINARY_DIR}/fs)
file(MAKE_DIRECTORY ${MLLAB_FS_DIR}/fonts)
file(COPY ${CMAKE_SOURCE_DIR}/assets/datasets DESTINATION ${MLLAB_FS_DIR}/assets)
file(COPY /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
          /usr/share/fonts/truetype/jetbrains-mono/JetBrainsMono-Regular.ttf
     DESTINATION ${MLLAB_FS_DIR}/fonts)

target_link_options(mllab_web PRIVATE
  -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2
  -sINITIAL_MEMORY=64MB -sMODULARIZE=0 -sEXIT_RUNTIME=0
  -sEXPORTED_RUNTIME_METHODS=[ccall,cwrap,UTF8ToString,stringToUTF8,lengthBytesUTF8,addRunDependency,removeRunDependency,FS]
  -sEXPORTED_FUNCTIONS=[_main,_malloc,_free]
  "SHELL:--js-library ${CMAKE_SOURCE_DIR}/web/idb_bridge.js"
  "SHELL:--pre-js ${CMAKE_SOURCE_DIR}/web/pre.js"
  "SHELL:--preload-file ${MLLAB_FS_DIR}/assets@/assets"
  "SHELL:--preload-file ${MLLAB_FS_DIR}/fonts@/fonts")
set_property(TARGET mllab_web APPEND PROPERTY LINK_DEPENDS
  ${CMAKE_SOURCE_DIR}/web/idb_bridge.js ${CMAKE_SOURCE_DIR}/web/pre.js)

set_property(TARGET mllab_web APPEND PROPERTY LINK_DEPENDS
  ${CMAKE_SOURCE_DIR}/web/index.html ${CMAKE_SOURCE_DIR}/web/sw.js ${CMAKE_SOURCE_DIR}/web/make_manifest.mjs)

# The static site: index.html + mllab.js + mllab.wasm + mllab.data, and the offline parts:
# build.json (each file's SHA-256, the build's version) and sw.js (the service worker, carrying
# that manifest, so each build replaces the last one's cache).
find_program(MLLAB_NODE NAMES node nodejs REQUIRED)
add_custom_command(TARGET mllab_web POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/web/index.html ${CMAKE_BINARY_DIR}/dist/index.html
  COMMAND ${MLLAB_NODE} ${CMAKE_SOURCE_DIR}/web/make_manifest.mjs ${CMAKE_BINARY_DIR}/dist ${CMAKE_SOURCE_DIR}/web/sw.js)
