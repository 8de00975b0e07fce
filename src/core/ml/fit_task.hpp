// A fit cut into units of work, so a caller (a TrainJob advanced a few milliseconds per browser
// frame) can stop between units: one tree of a forest, one boosting iteration, or the whole fit
// for estimators that are cheap (the one-unit fallback). Running every unit gives exactly the
// model fit() gives: fit() itself runs its task to the end.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace mllab::ml {

class FitTask {
 public:
  virtual ~FitTask() = default;
  // Does the next unit of work; false once the fit is complete (the model is then fitted).
  // Throws mllab::Error as fit() would (the model is then left unfitted).
  virtual bool step() = 0;
  virtual bool done() const = 0;
  // Units finished and the total, for progress ("tree 140/300").
  virtual int64_t units_done() const = 0;
  virtual int64_t units_total() const = 0;
  // What a unit is: "tree", "iteration", "fit".
  virtual const char* unit_name() const = 0;
  // For a person: "tree 140/300" (or "fit" for a one-unit task).
  virtual std::string describe() const {
    if (units_total() <= 1) return unit_name();
    return std::string(unit_name()) + " " + std::to_string(units_done()) + "/" + std::to_string(units_total());
  }
  // Runs every remaining unit.
  void run_to_end() {
    while (step()) {
    }
  }
};

// A fit done in a single unit: `fit` is called by the first step().
class OneShotFitTask : public FitTask {
 public:
  explicit OneShotFitTask(std::function<void()> fit, const char* unit = "fit")
      : fit_(std::move(fit)), unit_(unit) {}
  bool step() override {
    if (done_) return false;
    fit_();
    done_ = true;
    return false;
  }
  bool done() const override { return done_; }
  int64_t units_done() const override { return done_ ? 1 : 0; }
  int64_t units_total() const override { return 1; }
  const char* unit_name() const override { return unit_; }

 private:
  std::function<void()> fit_;
  const char* unit_;
  bool done_ = false;
};

}  // namespace mllab::ml
