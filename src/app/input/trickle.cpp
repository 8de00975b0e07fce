// The trickling rule of trickle.hpp.
#include "app/input/trickle.hpp"

#include <algorithm>

namespace mllab::app::input {
namespace {
constexpr int kFirstSpecialKey = 256;  // GLFW_KEY_ESCAPE: keys below are printable
constexpr int kShortcutMods = 0x0002 | 0x0004 | 0x0008;  // GLFW_MOD_CONTROL | ALT | SUPER

bool is_modifier(int key) { return key >= kFirstModifierKey && key <= kLastModifierKey; }
bool is_plain_printable(const Event& e) { return e.key < kFirstSpecialKey && !(e.mods & kShortcutMods); }
bool contains(const std::vector<int>& keys, int key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); }
}  // namespace

std::vector<std::size_t> events_for_frame(const std::deque<Event>& queue) {
  std::vector<std::size_t> taken;
  std::vector<int> changed;   // keys that went up or down this frame
  std::vector<int> deferred;  // plain printable keys with an event left for a later frame
  bool editing_key_changed = false;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const Event& e = queue[i];
    if (e.kind == Event::Kind::Char) {
      if (editing_key_changed) break;
    } else if (contains(deferred, e.key)) {
      continue;  // keeps this key's own events in order
    } else if (e.action != kActionRepeat) {
      if (contains(changed, e.key)) {
        if (!is_plain_printable(e)) break;
        deferred.push_back(e.key);
        continue;
      }
      changed.push_back(e.key);
      if (e.action == kActionPress && !is_modifier(e.key) && !is_plain_printable(e)) editing_key_changed = true;
    }
    taken.push_back(i);
  }
  if (taken.empty() && !queue.empty()) taken.push_back(0);
  return taken;
}

}  // namespace mllab::app::input
