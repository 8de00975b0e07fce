// Small drawing helpers every view uses: section titles, error text, the browser's file picker.
#pragma once

#include <functional>
#include <string>

namespace mllab::app {

struct JobEntry;

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

// A running job's progress bar with its stage text ("fitting · tree 140/300"), `width` wide
// (-1: the rest of the line), and its estimate of time left (< 0: none yet). What they show
// changes at most ten times a second: a frame whose picture equals the previous one is not drawn
// again (main.cpp), and a bar moving every frame would make every frame a new picture.
void job_progress_bar(const JobEntry& job, float width);
double job_eta_seconds(const JobEntry& job);

}  // namespace mllab::app
