// Small drawing helpers every view uses: section titles, error text, the browser's file picker.
#pragma once

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

}  // namespace mllab::app
