// Errors as values at boundaries: a code plus a message that names the offending value.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace mllab {

// Error codes, named after MLflow's error codes where one fits.
enum class ErrorCode {
  kOk = 0,
  kInvalidParameterValue,  // a parameter or field has a bad value
  kResourceDoesNotExist,   // a run, experiment, dataset or file is missing
  kResourceAlreadyExists,  // a unique name or key is taken
  kParseError,             // malformed CSV / JSON / spec
  kStorageError,           // the store could not read or write
  kInternalError,          // a bug; should not happen
};

// Returns MLflow's spelling of an error code, e.g. "INVALID_PARAMETER_VALUE".
const char* error_code_name(ErrorCode code);

// The outcome of an operation that returns nothing: ok, or an error code and a message.
class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  static Status invalid(std::string m) { return {ErrorCode::kInvalidParameterValue, std::move(m)}; }
  static Status not_found(std::string m) { return {ErrorCode::kResourceDoesNotExist, std::move(m)}; }
  static Status already_exists(std::string m) { return {ErrorCode::kResourceAlreadyExists, std::move(m)}; }
  static Status parse_error(std::string m) { return {ErrorCode::kParseError, std::move(m)}; }
  static Status storage_error(std::string m) { return {ErrorCode::kStorageError, std::move(m)}; }
  static Status internal(std::string m) { return {ErrorCode::kInternalError, std::move(m)}; }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CODE: message", for logs and the CLI.
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or an error Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

// The exception thrown across layers that use exceptions internally (ML fitting); the
// boundary converts it back into a Status.
class Error : public std::exception {
 public:
  explicit Error(Status status) : status_(std::move(status)), what_(status_.to_string()) {}
  const char* what() const noexcept override { return what_.c_str(); }
  const Status& status() const { return status_; }

 private:
  Status status_;
  std::string what_;
};

}  // namespace mllab

// Returns early from the enclosing function when `expr` (a Status) is an error.
#define MLLAB_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::mllab::Status _st = (expr);            \
    if (!_st.is_ok()) return _st;            \
  } while (0)
