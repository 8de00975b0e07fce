// FolderStore: keys as files (long or unusual segments under a hash), commits through a
// per-commit journal with backups, an inter-process flock, per-process staging, and recovery.
#include "platform/folder_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "core/util/clock.hpp"
#include "core/util/json_reader.hpp"
#include "core/util/sha256.hpp"
#include "platform/files.hpp"

namespace mllab::platform {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kLockFile = ".lock";
constexpr const char* kJournalDir = ".journals";
constexpr const char* kStagingDir = ".staging";
constexpr const char* kLegacyJournal = ".journal.json";  // written by MLLab before per-commit journals
constexpr const char* kLegacyTmpDir = ".tmp";
constexpr int kJournalSchemaVersion = 2;
// Longest segment kept as its own file name (file systems allow 255 bytes).
constexpr size_t kMaxPlainSegment = 200;

// A segment stored as-is: short, of the characters keys were limited to before (so every store
// written by an older MLLab reads unchanged), never starting with '~' (the hashed names).
bool plain_segment(const std::string& s) {
  if (s.empty() || s.size() > kMaxPlainSegment || s[0] == '~' || s[0] == '.') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-' || c == '@' || c == ':' || c == '=' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::string file_name_of(const std::string& segment) {
  return plain_segment(segment) ? segment : "~" + sha256_hex(segment).substr(0, 40);
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t end = key.find('/', pos);
    out.push_back(key.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

fs::path key_path(const fs::path& root, const std::string& key) {
  fs::path p = root;
  for (const auto& seg : split_key(key)) p /= file_name_of(seg);
  return p;
}

// Writes the sidecar ".~<hash>" holding the real segment beside each hashed segment of `key`.
Status write_sidecars(const fs::path& root, const std::string& key) {
  fs::path dir = root;
  std::error_code ec;
  for (const auto& seg : split_key(key)) {
    std::string name = file_name_of(seg);
    if (name != seg) {
      fs::path side = dir / ("." + name);
      if (!fs::is_regular_file(side, ec)) MLLAB_RETURN_IF_ERROR(write_file_atomic(side, seg));
    }
    dir /= name;
  }
  return Status::ok();
}

int flock_retry(int fd, int op) {
  int r;
  do r = ::flock(fd, op);
  while (r != 0 && errno == EINTR);
  return r;
}

// Unique across processes (and across fork()ed children sharing the id generator's state).
std::string process_unique_id() { return std::to_string(::getpid()) + "-" + new_id().substr(0, 16); }

// One write of a journal. Paths are relative to the store root.
struct JournalEntry {
  std::string key;
  bool put = false;
  std::string staged;   // the new value (puts)
  std::string backup;   // where the replaced value is moved (empty: legacy journal, no backup)
  bool had_old = false;  // the key held a value when the journal was written
};

struct Journal {
  int version = kJournalSchemaVersion;
  bool rollback = false;  // set when the commit failed: undo instead of finishing
  std::vector<JournalEntry> writes;
};

json journal_to_json(const Journal& j) {
  json writes = json::array();
  for (const auto& e : j.writes) {
    json w = {{"key", e.key}, {"put", e.put}, {"backup", e.backup}, {"had_old", e.had_old}};
    if (e.put) w["staged"] = e.staged;
    writes.push_back(std::move(w));
  }
  return {{"schema", "mllab.store_journal"},
          {"schema_version", kJournalSchemaVersion},
          {"state", j.rollback ? "rollback" : "apply"},
          {"writes", writes}};
}

Result<Journal> parse_journal(const std::string& bytes, const std::string& what) {
  auto parsed = read_json(bytes, what);
  if (!parsed) return parsed.status();
  const json& j = *parsed;
  try {
    if (!j.is_object() || j.value("schema", "") != "mllab.store_journal") {
      return Status::parse_error(what + " is not a store journal");
    }
    Journal out;
    out.version = j.value("schema_version", 1);
    if (out.version < 1 || out.version > kJournalSchemaVersion) {
      return Status::parse_error(what + " has schema_version " + std::to_string(out.version));
    }
    out.rollback = j.value("state", "apply") == "rollback";
    for (const auto& w : j.at("writes")) {
      JournalEntry e;
      e.key = w.at("key").get<std::string>();
      if (out.version == 1) {  // {"key", "tmp"?}: staged under .tmp/, no backups
        e.put = w.contains("tmp");
        if (e.put) e.staged = std::string(kLegacyTmpDir) + "/" + w.at("tmp").get<std::string>();
      } else {
        e.put = w.at("put").get<bool>();
        if (e.put) e.staged = w.at("staged").get<std::string>();
        e.backup = w.at("backup").get<std::string>();
        e.had_old = w.at("had_old").get<bool>();
      }
      MLLAB_RETURN_IF_ERROR(store::validate_key(e.key));
      out.writes.push_back(std::move(e));
    }
    return out;
  } catch (const json::exception&) {
    return Status::parse_error(what + " is malformed");
  }
}

Status fs_error(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return Status::storage_error(what + " " + p.string() + ": " + ec.message());
}

// Applies one write (idempotent: finishes a write that was half done).
Status forward_entry(const fs::path& root, const JournalEntry& e) {
  std::error_code ec;
  const fs::path dest = key_path(root, e.key);
  const fs::path backup = e.backup.empty() ? fs::path() : root / e.backup;
  auto move_aside = [&]() -> Status {
    if (backup.empty()) {
      fs::remove(dest, ec);
      return ec ? fs_error("cannot remove", dest, ec) : Status::ok();
    }
    if (fs::exists(backup, ec) || !fs::is_regular_file(dest, ec)) return Status::ok();
    fs::rename(dest, backup, ec);
    return ec ? fs_error("cannot move aside", dest, ec) : Status::ok();
  };
  if (!e.put) return e.had_old || e.backup.empty() ? move_aside() : Status::ok();
  const fs::path staged = root / e.staged;
  if (!fs::exists(staged, ec)) return Status::ok();  // already in place
  if (e.had_old && !backup.empty()) MLLAB_RETURN_IF_ERROR(move_aside());
  if (fs::is_directory(dest, ec)) {
    fs::remove(dest, ec);  // an empty folder left by deleted keys; a full one is an error
    if (ec) return fs_error("cannot replace the folder", dest, ec);
  }
  MLLAB_RETURN_IF_ERROR(write_sidecars(root, e.key));
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return fs_error("cannot create folder", dest.parent_path(), ec);
  fs::rename(staged, dest, ec);
  if (ec) return fs_error("cannot move the new value of '" + quote_for_message(e.key) + "' into", dest, ec);
  return Status::ok();
}

// Undoes one write (idempotent).
Status rollback_entry(const fs::path& root, const JournalEntry& e) {
  std::error_code ec;
  const fs::path dest = key_path(root, e.key);
  if (e.backup.empty()) return Status::storage_error("the journal holds no backup of '" + quote_for_message(e.key) + "'");
  const fs::path backup = root / e.backup;
  if (e.had_old) {
    if (!fs::exists(backup, ec)) return Status::ok();  // never moved aside, or already restored
    fs::create_directories(dest.parent_path(), ec);
    fs::rename(backup, dest, ec);
    return ec ? fs_error("cannot restore", dest, ec) : Status::ok();
  }
  if (e.put && !fs::exists(root / e.staged, ec) && fs::is_regular_file(dest, ec)) {
    fs::remove(dest, ec);  // a new key whose value was moved in
    if (ec) return fs_error("cannot remove", dest, ec);
  }
  return Status::ok();
}

Status rollback_all(const fs::path& root, const Journal& j) {
  Status first;
  for (auto it = j.writes.rbegin(); it != j.writes.rend(); ++it) {
    Status st = rollback_entry(root, *it);
    if (!st.is_ok() && first.is_ok()) first = st;
  }
  return first;
}

}  // namespace

// Holds the store's flock for a scope, unless this object already holds it (a commit reading).
class FolderStore::LockGuard {
 public:
  LockGuard(const FolderStore& s, int op) : s_(s) {
    if (s_.lock_held_ != 0) return;
    if (!s_.ensure_lock_fd()) {
      if (s_.mode_ == Mode::kReadWrite) error_ = "cannot open the lock file " + (s_.root_ / kLockFile).string() +
                                                 ": " + std::strerror(errno);
      return;
    }
    if (flock_retry(s_.lock_fd_, op) != 0) {
      error_ = "cannot lock " + (s_.root_ / kLockFile).string() + ": " + std::strerror(errno);
      return;
    }
    s_.lock_held_ = op;
    owned_ = true;
  }
  ~LockGuard() {
    if (!owned_) return;
    ::flock(s_.lock_fd_, LOCK_UN);
    s_.lock_held_ = 0;
  }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  const std::string& error() const { return error_; }

 private:
  const FolderStore& s_;
  bool owned_ = false;
  std::string error_;
};

bool FolderStore::ensure_lock_fd() const {
  if (lock_fd_ >= 0) return true;
  fs::path p = root_ / kLockFile;
  lock_fd_ = mode_ == Mode::kReadOnly ? ::open(p.c_str(), O_RDONLY | O_CLOEXEC)
                                      : ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  return lock_fd_ >= 0;
}

void FolderStore::note(const std::string& text) { notes_.push_back("store " + root_.string() + ": " + text); }

Result<std::unique_ptr<FolderStore>> FolderStore::open(const fs::path& root, Mode mode) {
  std::error_code ec;
  std::unique_ptr<FolderStore> s(new FolderStore(root, mode));
  if (mode == Mode::kReadOnly) {
    if (!fs::exists(root, ec)) return s;  // reads as empty
    if (!fs::is_directory(root, ec)) return Status::storage_error("store path " + root.string() + " is not a folder");
    LockGuard lock(*s, LOCK_SH);
    s->load_pending_journals();
    return s;
  }
  fs::create_directories(root, ec);
  if (ec) return Status::storage_error("cannot create store folder " + root.string() + ": " + ec.message());
  if (!fs::is_directory(root, ec)) return Status::storage_error("store path " + root.string() + " is not a folder");
  LockGuard lock(*s, LOCK_EX);
  if (!lock.error().empty()) return Status::storage_error(lock.error());
  MLLAB_RETURN_IF_ERROR(s->recover());
  return s;
}

FolderStore::~FolderStore() {
  std::error_code ec;
  if (!staging_id_.empty()) {
    // A journal that could not be undone needs the backups: the next writer removes them after it.
    if (!journal_left_) fs::remove_all(root_ / kStagingDir / staging_id_, ec);
    fs::remove(root_ / kStagingDir / (staging_id_ + ".lock"), ec);
  }
  if (staging_lock_fd_ >= 0) ::close(staging_lock_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

fs::path FolderStore::path_of(const std::string& key) const { return key_path(root_, key); }

Status FolderStore::recover() {
  std::error_code ec;
  auto set_aside = [&](const fs::path& p, const std::string& why) {
    fs::path aside = p;
    aside += ".discarded";
    fs::rename(p, aside, ec);
    if (ec) fs::remove(p, ec);
    note("set aside the journal " + p.filename().string() + " of an interrupted commit that could not be "
         "finished or undone (" + why + "); that commit may be partly applied" +
         (ec ? std::string() : ", its journal is kept as " + aside.filename().string()));
  };
  // A journal of the older format: finish what can be finished (it holds no backups to undo).
  const fs::path legacy = root_ / kLegacyJournal;
  if (fs::exists(legacy, ec)) {
    auto bytes = read_file(legacy);
    auto j = bytes ? parse_journal(*bytes, "store journal " + legacy.string()) : Result<Journal>(bytes.status());
    if (!j) {
      set_aside(legacy, j.status().message());
    } else {
      std::vector<std::string> failed;
      for (const auto& e : j->writes) {
        Status st = forward_entry(root_, e);
        if (!st.is_ok()) failed.push_back(st.message());
      }
      fs::remove(legacy, ec);
      note("finished an interrupted commit of " + std::to_string(j->writes.size()) + " writes" +
           (failed.empty() ? std::string() : "; " + std::to_string(failed.size()) + " could not be applied and " +
                                                  "were dropped (" + failed.front() + ")"));
    }
  }
  if (!fs::exists(legacy, ec)) fs::remove_all(root_ / kLegacyTmpDir, ec);

  // Journals of this format: under the exclusive lock, every one belongs to a process that stopped
  // (a committing process holds the lock until its journal is gone).
  std::vector<fs::path> journals;
  for (auto it = fs::directory_iterator(root_ / kJournalDir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->path().extension() == ".json") journals.push_back(it->path());
    else if (name.find(".tmp-") != std::string::npos) fs::remove(it->path(), ec);  // before a commit point
  }
  ec.clear();
  std::sort(journals.begin(), journals.end());
  for (const auto& p : journals) {
    auto bytes = read_file(p);
    auto j = bytes ? parse_journal(*bytes, "store journal " + p.string()) : Result<Journal>(bytes.status());
    if (!j) {
      set_aside(p, j.status().message());
      continue;
    }
    const std::string n = std::to_string(j->writes.size());
    Status failure;
    if (!j->rollback) {
      for (const auto& e : j->writes) {
        failure = forward_entry(root_, e);
        if (!failure.is_ok()) break;
      }
      if (failure.is_ok()) {
        fs::remove(p, ec);
        note("finished an interrupted commit of " + n + " writes left by a process that stopped");
        continue;
      }
      j->rollback = true;
      (void)write_file_atomic(p, journal_to_json(*j).dump());
    }
    Status rb = rollback_all(root_, *j);
    if (!rb.is_ok()) {
      set_aside(p, (failure.is_ok() ? "" : failure.message() + "; ") + rb.message());
      continue;
    }
    fs::remove(p, ec);
    note("undid an interrupted commit of " + n + " writes left by a process that stopped" +
         (failure.is_ok() ? std::string() : " (" + failure.message() + ")"));
  }

  // Staging of processes that stopped: their lock file is no longer locked.
  const fs::path staging = root_ / kStagingDir;
  std::vector<fs::path> entries;
  for (auto it = fs::directory_iterator(staging, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    entries.push_back(it->path());
  }
  ec.clear();
  for (const auto& p : entries) {
    const std::string name = p.filename().string();
    if (p.extension() == ".lock") {
      const std::string id = p.stem().string();
      if (id == staging_id_) continue;
      int fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) continue;
      if (flock_retry(fd, LOCK_EX | LOCK_NB) == 0) {
        fs::remove_all(staging / id, ec);
        fs::remove(p, ec);
      }
      ::close(fd);
    } else if (name != staging_id_ && !fs::exists(staging / (name + ".lock"), ec)) {
      fs::remove_all(p, ec);  // its process stopped between removing the lock and the folder
    }
  }
  return Status::ok();
}

Status FolderStore::ensure_staging() {
  if (!staging_id_.empty()) return Status::ok();
  LockGuard lock(*this, LOCK_EX);  // cleaners hold it too: a new staging is never taken for stale
  if (!lock.error().empty()) return Status::storage_error(lock.error());
  const fs::path dir = root_ / kStagingDir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fs_error("cannot create", dir, ec);
  const std::string id = process_unique_id();
  const fs::path lock_path = dir / (id + ".lock");
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::storage_error("cannot create " + lock_path.string() + ": " + std::strerror(errno));
  if (flock_retry(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::storage_error("cannot lock " + lock_path.string() + ": " + std::strerror(errno));
  }
  fs::create_directory(dir / id, ec);
  if (ec) {
    fs::remove(lock_path, ec);
    ::close(fd);
    return fs_error("cannot create", dir / id, ec);
  }
  staging_lock_fd_ = fd;
  staging_id_ = id;
  return Status::ok();
}

// Read-only: the journals of stopped processes, so that reads show their commits whole (finished,
// or undone when the journal says so) without touching a file.
void FolderStore::load_pending_journals() {
  std::error_code ec;
  std::vector<fs::path> journals;
  if (fs::exists(root_ / kLegacyJournal, ec)) journals.push_back(root_ / kLegacyJournal);
  for (auto it = fs::directory_iterator(root_ / kJournalDir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".json") journals.push_back(it->path());
  }
  size_t unreadable = 0;
  for (const auto& p : journals) {
    auto bytes = read_file(p);
    auto j = bytes ? parse_journal(*bytes, "store journal " + p.string()) : Result<Journal>(bytes.status());
    if (!j) {
      ++unreadable;
      continue;
    }
    for (const auto& e : j->writes) {
      Pending& o = pending_[e.key];
      o.journal = p;
      // Where the value is while the journal stands: `first` if it exists, else the key's own file.
      o.first.clear();
      o.absent = false;
      if (!j->rollback) {
        if (e.put) o.first = root_ / e.staged;
        else o.absent = true;
      } else if (e.had_old) {
        o.first = root_ / e.backup;
      } else {
        o.absent = true;
      }
    }
  }
  if (!journals.empty()) {
    note("holds " + std::to_string(journals.size()) + " unfinished commit(s) of a process that stopped; " +
         (unreadable ? std::to_string(unreadable) + " unreadable, whose writes may show in part; " : std::string()) +
         "shown as finished, the next command that writes will finish them on disk");
  }
}

// The file that holds `key` now (under the lock): a pending journal's view, else its own file.
std::optional<fs::path> FolderStore::value_file(const std::string& key) const {
  std::error_code ec;
  auto it = pending_.find(key);
  if (it != pending_.end() && fs::exists(it->second.journal, ec)) {
    if (it->second.absent) return std::nullopt;
    if (!it->second.first.empty() && fs::is_regular_file(it->second.first, ec)) return it->second.first;
  }
  fs::path p = path_of(key);
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

std::optional<std::string> FolderStore::get(const std::string& key) const {
  if (!store::validate_key(key)) return std::nullopt;
  LockGuard lock(*this, LOCK_SH);
  if (!pending_.empty()) {
    auto file = value_file(key);
    if (!file) return std::nullopt;
    auto r = read_file(*file);
    if (!r) return std::nullopt;
    return std::move(r).value();
  }
  fs::path p = path_of(key);
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  auto r = read_file(p);
  if (!r) return std::nullopt;
  return std::move(r).value();
}

std::vector<std::string> FolderStore::keys(const std::string& prefix) const {
  std::vector<std::string> out;
  // Walk only the deepest folder the prefix names.
  fs::path start = root_;
  size_t slash = prefix.rfind('/');
  if (slash != std::string::npos) {
    if (!store::validate_key(prefix.substr(0, slash))) return out;
    start = path_of(prefix.substr(0, slash));
  }
  LockGuard lock(*this, LOCK_SH);
  std::error_code ec;
  const bool walk = fs::is_directory(start, ec);
  std::map<fs::path, std::string> decoded;  // hashed file name -> its real segment
  auto segment = [&](const fs::path& file) -> std::optional<std::string> {
    std::string name = file.filename().string();
    if (name.empty() || name[0] != '~') return name;
    auto hit = decoded.find(file);
    if (hit != decoded.end()) return hit->second;
    auto real = read_file(file.parent_path() / ("." + name));
    if (!real || file_name_of(*real) != name) return std::nullopt;  // no (or a wrong) sidecar
    decoded[file] = *real;
    return *real;
  };
  for (auto it = walk ? fs::recursive_directory_iterator(start, ec) : fs::recursive_directory_iterator();
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {  // bookkeeping: lock, journals, staging, sidecars
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    fs::path rel = it->path().lexically_relative(root_);
    std::string key;
    fs::path at = root_;
    bool ok = true;
    for (const auto& part : rel) {
      at /= part;
      auto seg = segment(at);
      if (!seg) { ok = false; break; }
      key += (key.empty() ? "" : "/") + *seg;
    }
    if (ok && key.compare(0, prefix.size(), prefix) == 0) out.push_back(std::move(key));
  }
  if (!pending_.empty()) {  // read-only over unfinished commits: as they will be
    std::set<std::string> keys(out.begin(), out.end());
    for (const auto& [key, o] : pending_) {
      if (key.compare(0, prefix.size(), prefix) != 0) continue;
      if (value_file(key)) keys.insert(key);
      else keys.erase(key);
    }
    out.assign(keys.begin(), keys.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status FolderStore::commit(const store::Batch& batch) {
  if (mode_ == Mode::kReadOnly) return Status::storage_error("store " + root_.string() + " is open read-only");
  for (const auto& w : batch.writes()) MLLAB_RETURN_IF_ERROR(store::validate_key(w.key));
  if (batch.empty()) return Status::ok();
  // The effect of the batch: each key's last write; deletes first (a deleted "a/b" frees "a").
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < batch.writes().size(); ++i) last[batch.writes()[i].key] = i;
  std::vector<store::Write> writes;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [key, i] : last) {
      const auto& w = batch.writes()[i];
      if (w.value.has_value() == (pass == 1)) writes.push_back(w);
    }
  }
  MLLAB_RETURN_IF_ERROR(ensure_staging());
  // 1. Stage every new value in this process's staging folder (no lock needed).
  const std::string commit_id = new_id().substr(0, 12);
  const fs::path staging = root_ / kStagingDir / staging_id_;
  std::vector<std::string> staged(writes.size());
  std::error_code ec;
  auto cleanup = [&] {
    for (size_t i = 0; i < writes.size(); ++i) {
      fs::remove(staging / (commit_id + "-" + std::to_string(i)), ec);
      fs::remove(staging / (commit_id + "-" + std::to_string(i) + ".old"), ec);
    }
  };
  for (size_t i = 0; i < writes.size(); ++i) {
    if (!writes[i].value) continue;
    const std::string name = commit_id + "-" + std::to_string(i);
    Status st = write_file_atomic(staging / name, *writes[i].value);
    if (!st.is_ok()) {
      cleanup();
      return Status::storage_error("cannot stage the value of '" + quote_for_message(writes[i].key) +
                                   "' (nothing was changed): " + st.message());
    }
    staged[i] = std::string(kStagingDir) + "/" + staging_id_ + "/" + name;
  }
  // 2. Under the exclusive lock: finish what stopped processes left, check, apply.
  Status st;
  {
    LockGuard lock(*this, LOCK_EX);
    if (!lock.error().empty()) st = Status::storage_error(lock.error());
    if (st.is_ok()) st = recover();
    if (st.is_ok()) st = store::check_batch(*this, batch);
    if (st.is_ok()) st = apply_batch(writes, staged, commit_id);
  }
  if (!journal_left_) cleanup();
  return st;
}

Status FolderStore::apply_batch(const std::vector<store::Write>& writes, const std::vector<std::string>& staged,
                                const std::string& commit_id) {
  std::error_code ec;
  Journal j;
  for (size_t i = 0; i < writes.size(); ++i) {
    JournalEntry e;
    e.key = writes[i].key;
    e.put = writes[i].value.has_value();
    e.staged = staged[i];
    e.backup = std::string(kStagingDir) + "/" + staging_id_ + "/" + commit_id + "-" + std::to_string(i) + ".old";
    e.had_old = fs::is_regular_file(path_of(e.key), ec);
    j.writes.push_back(std::move(e));
  }
  // The commit point: the journal appears atomically.
  const fs::path jpath = root_ / kJournalDir / (process_unique_id() + ".json");
  Status st = write_file_atomic(jpath, journal_to_json(j).dump());
  if (!st.is_ok()) return Status::storage_error("cannot write the commit journal (nothing was changed): " + st.message());
  for (const auto& e : j.writes) {
    st = forward_entry(root_, e);
    if (!st.is_ok()) break;
  }
  if (st.is_ok()) {
    fs::remove(jpath, ec);
    bump_revision();
    return Status::ok();
  }
  // Undo: put every replaced value back. The journal says so first, for a crash meanwhile.
  j.rollback = true;
  (void)write_file_atomic(jpath, journal_to_json(j).dump());
  Status rb = rollback_all(root_, j);
  if (!rb.is_ok()) {
    journal_left_ = true;
    return Status::storage_error("commit failed (" + st.message() + ") and undoing it failed too (" + rb.message() +
                                 "); the next open of the store will retry");
  }
  fs::remove(jpath, ec);
  return Status::storage_error("commit failed and was undone, nothing was changed: " + st.message());
}

}  // namespace mllab::platform
