// Stop word lists for the text vectorizers.
#pragma once

#include <string>
#include <vector>

namespace mllab::ml {

// scikit-learn's ENGLISH_STOP_WORDS (318 words), sorted; generated at build time from
// python3-sklearn's _stop_words.py by scripts/gen_stop_words.py (cmake/stop_words.cmake).
const std::vector<std::string>& english_stop_words();

}  // namespace mllab::ml
