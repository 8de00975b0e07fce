// Features (Feast-like): the feature groups with their definition (join keys, event-timestamp
// and created columns, TTL, column types, rows) and freshness (newest event timestamp and its
// age); register a group from a stored dataset; a point-in-time join preview of an entity table
// (typed CSV or a stored dataset) against chosen features (get_historical_features); an online
// lookup of the latest values for typed entity keys (get_online_features).
#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "app/ui.hpp"
#include "app/views/factories.hpp"
#include "core/data/csv.hpp"
#include "core/data/table_json.hpp"
#include "core/features/timestamp.hpp"
#include "core/util/clock.hpp"

namespace mllab::app {
namespace {

// Disabled-coloured text, wrapped to the window (empty states).
void hint(const char* text) {
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A table drawn with a clipper (only the visible rows).
void draw_table(const char* id, const data::Table& t, float height) {
  const int ncols = int(std::min<size_t>(t.num_columns(), 64));
  if (ncols == 0) return;
  ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                          ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable(id, ncols, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (int c = 0; c < ncols; ++c) ImGui::TableSetupColumn(t.column(size_t(c)).name.c_str());
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(int(t.num_rows()));
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      ImGui::TableNextRow();
      for (int c = 0; c < ncols; ++c) {
        ImGui::TableSetColumnIndex(c);
        const auto& col = t.column(size_t(c));
        if (col.is_missing(size_t(r))) ImGui::TextDisabled("null");
        else ImGui::TextUnformatted(col.value_string(size_t(r)).c_str());
      }
    }
  }
  ImGui::EndTable();
}

struct GroupRow {
  features::FeatureGroup group;
  std::optional<int64_t> newest_us;
  std::string freshness_error;
};

class FeaturesView : public View {
 public:
  const char* title() const override { return "Features"; }

  void describe(json& ui) const override {
    json j = {{"tab", tab_}, {"selected_group", selected_}, {"register_error", register_error_},
              {"join_error", join_error_}, {"online_error", online_error_},
              {"join_result", join_result_.num_columns() ? data::table_to_records(join_result_) : json(nullptr)},
              {"online_result", online_result_.num_columns() ? data::table_to_records(online_result_) : json(nullptr)}};
    json groups = json::array();
    for (const auto& g : groups_) {
      const auto& v = g.group.latest();
      groups.push_back({{"name", g.group.name}, {"versions", g.group.versions.size()}, {"join_keys", v.join_keys},
                        {"timestamp_column", v.timestamp_column}, {"ttl", features::format_duration(v.ttl_us)},
                        {"num_rows", v.num_rows},
                        {"newest_event", g.newest_us ? json(features::format_timestamp(*g.newest_us)) : json(nullptr)}});
    }
    j["groups"] = groups;
    ui["features_view"] = j;
  }

  void draw(AppContext& ctx) override {
    reload(ctx);
    if (ImGui::BeginTabBar("##features-tabs")) {
      for (const char* t : {"Groups", "Register", "Point-in-time join", "Online lookup"}) {
        if (ImGui::BeginTabItem(t)) {
          tab_ = t;
          ImGui::EndTabItem();
        }
        ctx.track(std::string("ftab:") + t);
      }
      ImGui::EndTabBar();
    }
    if (tab_ == "Register") draw_register(ctx);
    else if (tab_ == "Point-in-time join") draw_join(ctx);
    else if (tab_ == "Online lookup") draw_online(ctx);
    else draw_groups(ctx);
  }

 private:
  void reload(AppContext& ctx) {
    if (rev_ == ctx.revision()) return;
    rev_ = ctx.revision();
    groups_.clear();
    for (auto& g : ctx.lab().features().list()) {
      GroupRow row{std::move(g), std::nullopt, ""};
      auto f = ctx.lab().features().freshness(row.group.name);
      if (f) row.newest_us = f->newest_event_us;
      else row.freshness_error = f.status().message();
      groups_.push_back(std::move(row));
    }
    if (!selected_.empty() && !group(selected_)) selected_.clear();
    if (selected_.empty() && !groups_.empty()) selected_ = groups_.front().group.name;
    reg_table_key_.clear();
  }

  const GroupRow* group(const std::string& name) const {
    for (const auto& g : groups_) if (g.group.name == name) return &g;
    return nullptr;
  }

  // [SECTION] Groups
  void draw_groups(AppContext& ctx) {
    if (groups_.empty()) {
      hint("No feature groups yet: open Register, pick a stored dataset, its join keys and timestamp column.");
      return;
    }
    const int64_t now_us = now_ms() * 1000;
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                            ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY;
    const float row_h = ImGui::GetTextLineHeightWithSpacing() + 4;
    const float table_h = std::min(ImGui::GetContentRegionAvail().y * 0.45f, row_h * float(groups_.size() + 1) + 24);
    if (ImGui::BeginTable("##groups", 9, flags, ImVec2(0, table_h))) {
      ImGui::TableSetupScrollFreeze(1, 1);
      for (const char* h : {"name", "versions", "join keys", "event timestamp", "created", "TTL", "rows", "newest event", "age"}) {
        ImGui::TableSetupColumn(h);
      }
      ImGui::TableHeadersRow();
      for (const auto& g : groups_) {
        const auto& v = g.group.latest();
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImGui::Selectable(g.group.name.c_str(), selected_ == g.group.name, ImGuiSelectableFlags_SpanAllColumns)) {
          selected_ = g.group.name;
        }
        ctx.track("fgroup:" + g.group.name);
        ImGui::TableSetColumnIndex(1);
        ImGui::Text("%zu (latest v%d)", g.group.versions.size(), v.version);
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(join(v.join_keys).c_str());
        ImGui::TableSetColumnIndex(3);
        ImGui::TextUnformatted(v.timestamp_column.c_str());
        ImGui::TableSetColumnIndex(4);
        ImGui::TextUnformatted(v.created_column.empty() ? "-" : v.created_column.c_str());
        ImGui::TableSetColumnIndex(5);
        ImGui::TextUnformatted(v.ttl_us ? features::format_duration(v.ttl_us).c_str() : "none");
        ImGui::TableSetColumnIndex(6);
        ImGui::Text("%lld", static_cast<long long>(v.num_rows));
        ImGui::TableSetColumnIndex(7);
        ImGui::TextUnformatted(g.newest_us ? features::format_timestamp(*g.newest_us).c_str() : "-");
        ImGui::TableSetColumnIndex(8);
        if (g.newest_us) {
          const int64_t age = std::max<int64_t>(0, (now_us - *g.newest_us) / 1000000 * 1000000);
          const bool stale = v.ttl_us && age > v.ttl_us;
          if (stale) ImGui::TextColored(ImVec4(1, 0.6f, 0.3f, 1), "%s (older than TTL)", features::format_duration(age).c_str());
          else ImGui::TextUnformatted(features::format_duration(age).c_str());
        } else if (!g.freshness_error.empty()) {
          ImGui::TextDisabled("?");
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", g.freshness_error.c_str());
        }
      }
      ImGui::EndTable();
    }
    const GroupRow* g = group(selected_);
    if (!g) return;
    section(("Columns of " + g->group.name).c_str());
    const auto& v = g->group.latest();
    if (ImGui::BeginTable("##gcols", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
      ImGui::TableSetupColumn("column");
      ImGui::TableSetupColumn("type");
      ImGui::TableSetupColumn("role");
      ImGui::TableHeadersRow();
      for (const auto& c : v.columns) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(c.name.c_str());
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(data::column_type_name(c.type));
        ImGui::TableSetColumnIndex(2);
        const bool key = std::find(v.join_keys.begin(), v.join_keys.end(), c.name) != v.join_keys.end();
        ImGui::TextDisabled("%s", key ? "join key" : c.name == v.timestamp_column ? "event timestamp"
                                                  : c.name == v.created_column     ? "created timestamp"
                                                                                   : "feature");
      }
      ImGui::EndTable();
    }
    if (!g->group.description.empty()) ImGui::TextWrapped("%s", g->group.description.c_str());
  }

  // [SECTION] Register
  void draw_register(AppContext& ctx) {
    const auto& stored = ctx.stored_datasets();
    if (stored.empty()) {
      hint("No stored datasets: load a CSV (Data workspace) with entity keys and an event timestamp column first.");
      return;
    }
    ImGui::PushItemWidth(320);
    ImGui::InputText("name", reg_name_, sizeof reg_name_);
    ctx.track("freg-name");
    if (ImGui::BeginCombo("dataset", reg_dataset_.empty() ? "(pick a stored dataset)" : reg_dataset_.c_str())) {
      for (const auto& d : stored) {
        if (ImGui::Selectable(d.name.c_str(), d.name == reg_dataset_)) {
          reg_dataset_ = d.name;
          reg_keys_.clear();
          reg_ts_.clear();
          reg_created_.clear();
          if (!reg_name_[0]) std::snprintf(reg_name_, sizeof reg_name_, "%s", d.name.c_str());
        }
        ctx.track("freg-dataset:" + d.name);
      }
      ImGui::EndCombo();
    }
    ctx.track("freg-dataset");
    const std::string key = reg_dataset_ + "@" + std::to_string(ctx.revision());
    if (key != reg_table_key_) {
      reg_table_key_ = key;
      reg_cols_.clear();
      reg_rows_ = 0;
      if (!reg_dataset_.empty()) {
        auto t = ctx.lab().datasets().table(reg_dataset_);
        if (t) {
          for (const auto& c : t->columns()) reg_cols_.push_back(c.name);
          reg_rows_ = t->num_rows();
        } else {
          register_error_ = t.status().message();
        }
      }
      if (reg_ts_.empty() && std::find(reg_cols_.begin(), reg_cols_.end(), "event_timestamp") != reg_cols_.end()) {
        reg_ts_ = "event_timestamp";
      }
    }
    if (!reg_dataset_.empty()) {
      ImGui::TextDisabled("%zu rows, %zu columns", reg_rows_, reg_cols_.size());
      ImGui::TextDisabled("join keys (entity columns)");
      for (const auto& c : reg_cols_) {
        bool on = std::find(reg_keys_.begin(), reg_keys_.end(), c) != reg_keys_.end();
        if (ImGui::Checkbox((c + "##key").c_str(), &on)) {
          if (on) reg_keys_.push_back(c);
          else std::erase(reg_keys_, c);
        }
        ctx.track("freg-key:" + c);
      }
      if (ImGui::BeginCombo("event timestamp", reg_ts_.empty() ? "(pick)" : reg_ts_.c_str())) {
        for (const auto& c : reg_cols_) {
          if (ImGui::Selectable(c.c_str(), c == reg_ts_)) reg_ts_ = c;
          ctx.track("freg-ts:" + c);
        }
        ImGui::EndCombo();
      }
      ctx.track("freg-ts");
      if (ImGui::BeginCombo("created timestamp", reg_created_.empty() ? "(none)" : reg_created_.c_str())) {
        if (ImGui::Selectable("(none)", reg_created_.empty())) reg_created_.clear();
        ctx.track("freg-created:(none)");
        for (const auto& c : reg_cols_) {
          if (ImGui::Selectable(c.c_str(), c == reg_created_)) reg_created_ = c;
          ctx.track("freg-created:" + c);
        }
        ImGui::EndCombo();
      }
      ctx.track("freg-created");
      ImGui::InputText("ttl", reg_ttl_, sizeof reg_ttl_);
      ctx.track("freg-ttl");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Time to live: 7d, 12h, 30m, 1d12h, or 0 for none");
      ImGui::InputText("description", reg_desc_, sizeof reg_desc_);
    }
    ImGui::PopItemWidth();
    ImGui::BeginDisabled(reg_dataset_.empty());
    if (ImGui::Button("Register feature group")) do_register(ctx);
    ctx.track("freg-register");
    ImGui::EndDisabled();
    if (!register_error_.empty()) {
      error_text(register_error_);
      ctx.track("freg-error");
    }
    if (!register_done_.empty()) ImGui::TextDisabled("%s", register_done_.c_str());
  }

  void do_register(AppContext& ctx) {
    register_error_.clear();
    register_done_.clear();
    auto ttl = features::parse_duration(reg_ttl_);
    if (!ttl) {
      register_error_ = "ttl: " + ttl.status().message();
      return;
    }
    auto t = ctx.lab().datasets().table(reg_dataset_);
    if (!t) {
      register_error_ = t.status().message();
      return;
    }
    features::FeatureGroupOptions o;
    o.entity_keys = reg_keys_;
    o.timestamp_column = reg_ts_;
    o.created_column = reg_created_;
    o.ttl_us = *ttl;
    o.description = reg_desc_;
    if (o.entity_keys.empty()) {
      register_error_ = "join keys: tick at least one entity column";
      return;
    }
    if (o.timestamp_column.empty()) {
      register_error_ = "event timestamp: pick the column holding each row's event time";
      return;
    }
    auto g = ctx.lab().features().register_features(reg_name_, *t, o);
    if (!g) {
      register_error_ = g.status().message();
      return;
    }
    register_done_ = "Registered " + g->name + " v" + std::to_string(g->latest().version) + " (" +
                     std::to_string(g->latest().num_rows) + " rows)";
    selected_ = g->name;
  }

  // [SECTION] Feature picking (join and online)
  void feature_checkboxes(AppContext& ctx, const std::string& prefix, std::vector<std::string>& refs,
                          const std::string& only_group = "") {
    for (const auto& g : groups_) {
      if (!only_group.empty() && g.group.name != only_group) continue;
      ImGui::TextDisabled("%s (keys: %s)", g.group.name.c_str(), join(g.group.latest().join_keys).c_str());
      for (const auto& f : g.group.latest().features()) {
        const std::string ref = g.group.name + ":" + f.name;
        bool on = std::find(refs.begin(), refs.end(), ref) != refs.end();
        if (ImGui::Checkbox((ref + "##" + prefix).c_str(), &on)) {
          if (on) refs.push_back(ref);
          else std::erase(refs, ref);
        }
        ctx.track(prefix + ref);
      }
    }
  }

  // [SECTION] Point-in-time join
  void draw_join(AppContext& ctx) {
    if (groups_.empty()) {
      hint("Register a feature group first (Register tab).");
      return;
    }
    ImGui::TextWrapped("Each entity row gets, per feature, the newest feature row with the same keys whose event "
                       "timestamp is at or before the entity row's (and within the TTL).");
    if (ImGui::RadioButton("typed CSV", !join_from_dataset_)) join_from_dataset_ = false;
    ctx.track("fjoin-src:csv");
    ImGui::SameLine();
    if (ImGui::RadioButton("stored dataset", join_from_dataset_)) join_from_dataset_ = true;
    ctx.track("fjoin-src:dataset");
    if (join_from_dataset_) {
      ImGui::SetNextItemWidth(320);
      if (ImGui::BeginCombo("entity dataset", join_dataset_.empty() ? "(pick)" : join_dataset_.c_str())) {
        for (const auto& d : ctx.stored_datasets()) {
          if (ImGui::Selectable(d.name.c_str(), d.name == join_dataset_)) join_dataset_ = d.name;
          ctx.track("fjoin-dataset:" + d.name);
        }
        ImGui::EndCombo();
      }
      ctx.track("fjoin-dataset");
    } else {
      ImGui::TextDisabled("entity table: join keys + the timestamp column, one row per line");
      ImGui::InputTextMultiline("##entity-csv", entity_csv_, sizeof entity_csv_, ImVec2(-1, 110));
      ctx.track("fjoin-csv");
    }
    ImGui::SetNextItemWidth(220);
    ImGui::InputText("entity timestamp column", join_ts_, sizeof join_ts_);
    ctx.track("fjoin-ts");
    ImGui::BeginChild("##join-features", ImVec2(0, 130), true);
    feature_checkboxes(ctx, "fjoin-feat:", join_refs_);
    ImGui::EndChild();
    if (ImGui::Button("Preview join")) run_join(ctx);
    ctx.track("fjoin-run");
    if (!join_error_.empty()) {
      error_text(join_error_);
      ctx.track("fjoin-error");
    }
    if (join_result_.num_columns()) {
      ImGui::Text("%zu rows", join_result_.num_rows());
      draw_table("##join-result", join_result_, -1);
      ctx.track("fjoin-result");
    }
  }

  void run_join(AppContext& ctx) {
    join_error_.clear();
    join_result_ = data::Table{};
    Result<data::Table> entities = Status::invalid("pick a stored dataset as the entity table");
    if (join_from_dataset_) {
      if (!join_dataset_.empty()) entities = ctx.lab().datasets().table(join_dataset_);
    } else {
      data::CsvOptions o;
      o.source = "entity table";
      entities = data::read_csv(entity_csv_, o);
    }
    if (!entities) {
      join_error_ = entities.status().message();
      return;
    }
    if (join_refs_.empty()) {
      join_error_ = "features: tick at least one feature";
      return;
    }
    features::HistoricalOptions o;
    o.entity_timestamp_column = join_ts_;
    auto r = ctx.lab().features().get_historical_features(*entities, join_refs_, o);
    if (!r) join_error_ = r.status().message();
    else join_result_ = std::move(r).value();
  }

  // [SECTION] Online lookup
  void draw_online(AppContext& ctx) {
    const GroupRow* g = group(selected_);
    if (!g) {
      hint("Register a feature group first (Register tab).");
      return;
    }
    ImGui::SetNextItemWidth(320);
    if (ImGui::BeginCombo("group", selected_.c_str())) {
      for (const auto& r : groups_) {
        if (ImGui::Selectable(r.group.name.c_str(), r.group.name == selected_)) selected_ = r.group.name;
        ctx.track("fonline-group:" + r.group.name);
      }
      ImGui::EndCombo();
    }
    ctx.track("fonline-group");
    g = group(selected_);
    ImGui::TextDisabled("The latest values per entity key (null when older than the TTL).");
    for (const auto& k : g->group.latest().join_keys) {
      auto& buf = online_keys_[k];
      if (buf.empty()) buf.resize(128, '\0');
      ImGui::SetNextItemWidth(220);
      ImGui::InputText(k.c_str(), buf.data(), buf.size());
      ctx.track("fonline-key:" + k);
    }
    ImGui::BeginChild("##online-features", ImVec2(0, 130), true);
    feature_checkboxes(ctx, "fonline-feat:", online_refs_, selected_);
    ImGui::EndChild();
    if (ImGui::Button("Look up")) run_online(ctx, *g);
    ctx.track("fonline-lookup");
    if (!online_error_.empty()) {
      error_text(online_error_);
      ctx.track("fonline-error");
    }
    if (online_result_.num_columns()) {
      draw_table("##online-result", online_result_, -1);
      ctx.track("fonline-result");
    }
  }

  void run_online(AppContext& ctx, const GroupRow& g) {
    online_error_.clear();
    online_result_ = data::Table{};
    std::string header, row;
    for (const auto& k : g.group.latest().join_keys) {
      const std::string v = online_keys_[k].c_str();
      if (v.empty()) {
        online_error_ = k + ": type the entity key value";
        return;
      }
      header += (header.empty() ? "" : ",") + csv_field(k);
      row += (row.empty() ? "" : ",") + csv_field(v);
    }
    std::vector<std::string> refs;
    for (const auto& r : online_refs_) if (r.rfind(g.group.name + ":", 0) == 0) refs.push_back(r);
    if (refs.empty()) {
      online_error_ = "features: tick at least one feature";
      return;
    }
    data::CsvOptions o;
    o.source = "entity keys";
    auto rows = data::read_csv(header + "\n" + row + "\n", o);
    if (!rows) {
      online_error_ = rows.status().message();
      return;
    }
    features::OnlineOptions oo;
    oo.now = now_ms() * 1000;
    auto r = ctx.lab().features().get_online_features(refs, *rows, oo);
    if (!r) online_error_ = r.status().message();
    else online_result_ = std::move(r).value();
  }

  uint64_t rev_ = ~uint64_t{0};
  std::vector<GroupRow> groups_;
  std::string tab_ = "Groups", selected_;
  // Register
  char reg_name_[128] = "", reg_ttl_[64] = "0", reg_desc_[256] = "";
  std::string reg_dataset_, reg_ts_, reg_created_, reg_table_key_, register_error_, register_done_;
  std::vector<std::string> reg_keys_, reg_cols_;
  size_t reg_rows_ = 0;
  // Join
  bool join_from_dataset_ = false;
  std::string join_dataset_, join_error_;
  char entity_csv_[8192] = "";
  char join_ts_[128] = "event_timestamp";
  std::vector<std::string> join_refs_;
  data::Table join_result_;
  // Online
  std::map<std::string, std::string> online_keys_;
  std::vector<std::string> online_refs_, online_ref_cache_;
  std::string online_error_;
  data::Table online_result_;
};

}  // namespace

std::unique_ptr<View> make_features_view() { return std::make_unique<FeaturesView>(); }

}  // namespace mllab::app
