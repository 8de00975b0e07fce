#include "core/util/status.hpp"

namespace mllab {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kInvalidParameterValue: return "INVALID_PARAMETER_VALUE";
    case ErrorCode::kResourceDoesNotExist: return "RESOURCE_DOES_NOT_EXIST";
    case ErrorCode::kResourceAlreadyExists: return "RESOURCE_ALREADY_EXISTS";
    case ErrorCode::kParseError: return "PARSE_ERROR";
    case ErrorCode::kStorageError: return "STORAGE_ERROR";
    case ErrorCode::kInternalError: return "INTERNAL_ERROR";
  }
  return "UNKNOWN";
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  return std::string(error_code_name(code_)) + ": " + message_;
}

}  // namespace mllab
