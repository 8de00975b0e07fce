#include "core/ml/stop_words.hpp"

namespace mllab::ml {

const std::vector<std::string>& english_stop_words() {
  static const std::vector<std::string> words = {
#include "mllab_generated/english_stop_words.inc"
  };
  return words;
}

}  // namespace mllab::ml
