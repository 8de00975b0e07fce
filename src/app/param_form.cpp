// The parameter form: one ImGui widget per ParamSpec kind.
#include "app/param_form.hpp"

#include <imgui.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/pipeline/builder.hpp"
#include "core/util/json_reader.hpp"

namespace mllab::app {

bool draw_param_form(AppContext& ctx, const std::vector<ml::ParamSpec>& specs, nlohmann::json& values) {
  bool changed = false;
  for (const auto& spec : specs) {
    if (!values.contains(spec.name)) values[spec.name] = spec.default_value;
    nlohmann::json& v = values[spec.name];
    const char* name = spec.name.c_str();
    ImGui::PushID(name);
    using Kind = ml::ParamSpec::Kind;
    if (spec.kind == Kind::kBool && v.is_boolean()) {
      bool b = v.get<bool>();
      if (ImGui::Checkbox(name, &b)) { v = b; changed = true; }
    } else if ((spec.kind == Kind::kInt || spec.kind == Kind::kIntOrNull) && (v.is_number() || v.is_null())) {
      bool is_null = v.is_null();
      if (spec.kind == Kind::kIntOrNull) {
        if (ImGui::Checkbox("None##null", &is_null)) {
          v = is_null ? nlohmann::json(nullptr) : nlohmann::json(spec.min > 1 ? int(spec.min) : 10);
          changed = true;
        }
        ImGui::SameLine();
      }
      ImGui::BeginDisabled(is_null);
      int i = v.is_number() ? v.get<int>() : 0;
      if (ImGui::InputInt(name, &i)) { v = i; changed = true; }
      ImGui::EndDisabled();
    } else if (spec.kind == Kind::kIntFloatStringOrNull &&
               (v.is_null() || v.is_number() || v.is_string())) {
      // A mode (None, each string choice, an integer count or a fraction), then the number.
      std::vector<std::string> modes = {"None"};
      for (const auto& c : spec.choices) modes.push_back(c);
      modes.push_back("count");
      modes.push_back("fraction");
      std::string cur = v.is_null() ? "None"
                        : v.is_string() ? v.get<std::string>()
                        : v.is_number_float() ? "fraction" : "count";
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
      if (ImGui::BeginCombo("##mode", cur.c_str())) {
        for (const auto& m : modes) {
          if (ImGui::Selectable(m.c_str(), m == cur) && m != cur) {
            if (m == "None") v = nullptr;
            else if (m == "count") v = spec.min > 1 ? int(spec.min) : 1;
            else if (m == "fraction") v = 1.0;
            else v = m;
            changed = true;
          }
        }
        ImGui::EndCombo();
      }
      ImGui::SameLine();
      if (v.is_number_integer()) {
        int i = v.get<int>();
        if (ImGui::InputInt(name, &i)) { v = i; changed = true; }
      } else if (v.is_number_float()) {
        double d = v.get<double>();
        if (ImGui::InputDouble(name, &d, 0, 0, "%.6g")) { v = d; changed = true; }
      } else {
        ImGui::TextUnformatted(name);
      }
    } else if (spec.kind == Kind::kFloat && v.is_number()) {
      double d = v.get<double>();
      if (ImGui::InputDouble(name, &d, 0, 0, "%.6g")) { v = d; changed = true; }
    } else if (spec.kind == Kind::kString && !spec.choices.empty() && (v.is_string() || v.is_null())) {
      std::string cur = v.is_string() ? v.get<std::string>() : "None";
      if (ImGui::BeginCombo(name, cur.c_str())) {
        for (const auto& c : spec.choices) {
          if (ImGui::Selectable(c.c_str(), c == cur)) { v = c; changed = true; }
        }
        ImGui::EndCombo();
      }
    } else {
      // Free-form values (strings, pairs such as ngram_range) are edited as JSON text.
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s",
                    v.is_string() ? v.get<std::string>().c_str()
                                  : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      if (ImGui::InputText(name, buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue)) {
        auto parsed = read_json(buf, name);
        v = !parsed || (v.is_string() && !parsed->is_string()) ? nlohmann::json(buf) : std::move(parsed).value();
        changed = true;
      }
    }
    ctx.track("param-" + spec.name);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s: %s", name, pipeline::param_help(spec).c_str());
    ImGui::PopID();
  }
  return changed;
}

}  // namespace mllab::app
