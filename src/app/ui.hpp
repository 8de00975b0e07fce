// Small drawing helpers every view uses: section titles, error text, the browser's file picker.
#pragma once

#include <functional>
#include <string>

namespace mllab::app {

// A titled separator between groups of fields.
void section(const char* title);
// Text in the error color, wrapped.
void error_text(const std::string& message);
// Text shown where a list is empty, saying what to do next.
void empty_state(const char* message);
// Asks the page to open its file picker; the file arrives through window.mllab.loadCsv.
void open_file_picker();
// Offers `bytes` to the browser as a download named `file_name`.
void download_file(const std::string& file_name, const std::string& bytes,
                   const std::string& mime_type = "application/octet-stream");
// Opens the browser's file picker for files matching `accept` (e.g. ".json,.txt"; "" = any).
// The chosen file's name and bytes reach `on_file` later, from a browser event between two
// frames: store them, do not draw there. Tests pick a file with setInputFiles('#pick-input').
void pick_file(const std::string& accept, std::function<void(const std::string& name, std::string bytes)> on_file);

}  // namespace mllab::app
