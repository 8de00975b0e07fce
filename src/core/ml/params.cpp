#include "core/ml/params.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/ml/numeric.hpp"

namespace mllab::ml {
namespace {

using Kind = ParamSpec::Kind;

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kInt:
      return "an integer";
    case Kind::kFloat:
      return "a number";
    case Kind::kBool:
      return "a boolean (true or false)";
    case Kind::kString:
      return "a string";
    case Kind::kIntOrNull:
      return "an integer or null";
    case Kind::kScalarOrNull:
      return "null, a number or a string";
    case Kind::kIntFloatStringOrNull:
      return "an integer, a fraction, a string or null";
  }
  return "?";
}

// "C, max_iter, tol"
std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A bound of `spec` as text: integer parameters' bounds as integers ("10000", not "1e+04").
std::string bound_text(const ParamSpec& spec, double x) {
  const bool integer = spec.kind == Kind::kInt || spec.kind == Kind::kIntOrNull ||
                       spec.kind == Kind::kIntFloatStringOrNull;
  if (integer && std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  return format_double(x);
}

// The bounds of `spec` as text, e.g. "> 0", ">= 1", "in (0, 1)"; empty when unbounded.
std::string bounds_text(const ParamSpec& spec) {
  bool has_min = std::isfinite(spec.min);
  bool has_max = std::isfinite(spec.max);
  if (has_min && has_max) {
    return std::string("in ") + (spec.min_exclusive ? "(" : "[") + bound_text(spec, spec.min) + ", " +
           bound_text(spec, spec.max) + (spec.max_exclusive ? ")" : "]");
  }
  if (has_min) return (spec.min_exclusive ? "> " : ">= ") + bound_text(spec, spec.min);
  if (has_max) return (spec.max_exclusive ? "< " : "<= ") + bound_text(spec, spec.max);
  return "";
}

// The violated bound as text, e.g. "> 0", ">= 1", "in (0, 1)"; empty if `x` is within bounds.
std::string bound_violation(const ParamSpec& spec, double x) {
  bool below = spec.min_exclusive ? !(x > spec.min) : !(x >= spec.min);
  bool above = spec.max_exclusive ? !(x < spec.max) : !(x <= spec.max);
  if (!below && !above) return "";
  bool has_min = std::isfinite(spec.min);
  bool has_max = std::isfinite(spec.max);
  if (has_min && has_max) return bounds_text(spec);
  if (below) return (spec.min_exclusive ? "> " : ">= ") + bound_text(spec, spec.min);
  return (spec.max_exclusive ? "< " : "<= ") + bound_text(spec, spec.max);
}

// A string that spells a whole number ("5") or a number with '.', 'e' or 'E' ("0.5") as that
// JSON number (integer or float); null when it spells neither.
json number_from_text(const std::string& text) {
  if (text.empty()) return json();
  char* end = nullptr;
  if (text.find_first_of(".eE") != std::string::npos) {
    double x = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(x)) return json();
    return json(x);
  }
  errno = 0;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || errno == ERANGE) return json();
  return json(static_cast<int64_t>(n));
}

// Validates one given value against its spec; returns the normalized value (floats as JSON
// floats, integral numbers as JSON integers) or an error.
Result<json> check_value(const std::string& owner, const ParamSpec& spec, const json& value) {
  auto fail = [&](const std::string& what) -> Status {
    return Status::invalid(owner + ": parameter '" + spec.name + "' must be " + what +
                           " (received " + value.dump() + ")");
  };
  switch (spec.kind) {
    case Kind::kBool:
      if (!value.is_boolean()) return fail(kind_name(spec.kind));
      return value;
    case Kind::kScalarOrNull: {
      if (value.is_null() || value.is_string()) return value;
      if (value.is_number() && std::isfinite(value.get<double>())) return value;
      return fail(kind_name(spec.kind));
    }
    case Kind::kString: {
      if (!value.is_string()) return fail(kind_name(spec.kind));
      if (spec.choices.empty()) return value;
      const auto& s = value.get_ref<const std::string&>();
      for (const auto& c : spec.choices) {
        if (c == s) return value;
      }
      return fail("one of " + join_names(spec.choices));
    }
    case Kind::kIntFloatStringOrNull: {
      // "an integer >= 1, a fraction in (0, 1], one of sqrt, log2, or null".
      std::string what = "an integer";
      const std::string int_bounds = bounds_text(spec);
      if (!int_bounds.empty()) what += " " + int_bounds;
      what += ", a fraction in (0, 1]";
      if (!spec.choices.empty()) what += ", one of " + join_names(spec.choices);
      what += ", or null";
      json v = value;
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        for (const auto& c : spec.choices) {
          if (c == s) return v;
        }
        for (const auto& c : spec.null_aliases) {
          if (c == s) return json();
        }
        v = number_from_text(s);  // an older record's "5" / "0.5"
        if (v.is_null()) return fail(what);
      }
      if (v.is_null()) return v;
      if (v.is_number_float()) {
        double x = v.get<double>();
        if (!(x > 0.0 && x <= 1.0)) return fail(what);
        return json(x);
      }
      if (!v.is_number_integer()) return fail(what);
      if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) return fail(what);
      int64_t n = v.get<int64_t>();
      if (!bound_violation(spec, static_cast<double>(n)).empty()) return fail(what);
      return json(n);
    }
    case Kind::kFloat: {
      if (!value.is_number()) return fail(kind_name(spec.kind));
      double x = value.get<double>();
      if (std::isnan(x)) return fail(kind_name(spec.kind));
      std::string violated = bound_violation(spec, x);
      if (!violated.empty()) return fail(violated);
      return json(x);
    }
    case Kind::kInt:
    case Kind::kIntOrNull: {
      if (value.is_null() && spec.kind == Kind::kIntOrNull) return value;
      if (!value.is_number()) return fail(kind_name(spec.kind));
      int64_t n = 0;
      if (value.is_number_integer()) {
        if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX)) {
          return fail("an integer in the 64-bit range");
        }
        n = value.get<int64_t>();
      } else {
        // Integral floats (2.0) are accepted as integers.
        double x = value.get<double>();
        if (!std::isfinite(x) || std::floor(x) != x) return fail(kind_name(spec.kind));
        if (!(std::fabs(x) < 9.2e18)) return fail("an integer in the 64-bit range");
        n = static_cast<int64_t>(x);
      }
      std::string violated = bound_violation(spec, static_cast<double>(n));
      if (!violated.empty()) return fail(violated);
      return json(n);
    }
  }
  return Status::internal(owner + ": unknown kind of parameter '" + spec.name + "'");
}

}  // namespace

Result<json> resolve_params(const std::string& owner, const std::vector<ParamSpec>& specs,
                            const json& given) {
  if (!given.is_null() && !given.is_object()) {
    return Status::invalid(owner + ": parameters must be a JSON object (received " + given.dump() +
                           ")");
  }
  std::vector<std::string> known;
  for (const auto& spec : specs) known.push_back(spec.name);
  if (given.is_object()) {
    for (const auto& item : given.items()) {
      bool found = false;
      for (const auto& spec : specs) found = found || spec.name == item.key();
      if (!found) {
        return Status::invalid(owner + ": unknown parameter '" + item.key() + "' (known: " +
                               (known.empty() ? std::string("none") : join_names(known)) + ")");
      }
    }
  }
  json out = json::object();
  for (const auto& spec : specs) {
    if (given.is_object() && given.contains(spec.name)) {
      auto checked = check_value(owner, spec, given.at(spec.name));
      if (!checked) return checked.status();
      out[spec.name] = std::move(checked.value());
    } else {
      out[spec.name] = spec.default_value;
    }
  }
  return out;
}

}  // namespace mllab::ml
