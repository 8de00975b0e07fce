// Input trickling: keyboard events that arrive between two frames are handed to Dear ImGui
// spread over as many frames as it needs to see each of them.
//
// Dear ImGui 1.86 (Debian's) reads keys as a per-frame "is down" table: a key pressed and
// released between two frames is never seen, and characters typed after Enter are processed
// before it. In a browser the events come whenever the user types, so on a slow frame (a
// software-rendered canvas, a machine under load, a training job taking its slice) a fast typist
// lost Enter, Backspace or Ctrl+A. ImGui 1.87+ does this itself ("input queue trickling").
// This file holds only the rule (no GLFW, no ImGui), so native tests reach it.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

namespace mllab::app::input {

struct Event {
  enum class Kind { Key, Char };
  Kind kind = Kind::Key;
  int key = 0, scancode = 0, action = 0, mods = 0;  // Key: GLFW's key callback arguments
  unsigned codepoint = 0;                            // Char
};

// GLFW's key codes of the modifier keys (GLFW_KEY_LEFT_SHIFT .. GLFW_KEY_RIGHT_SUPER); the app
// checks them against glfw3.h.
constexpr int kFirstModifierKey = 340;
constexpr int kLastModifierKey = 347;
constexpr int kActionRelease = 0, kActionPress = 1, kActionRepeat = 2;

// Which events from `queue` (indices, ascending) the next frame takes. A frame takes events in
// order and stops at the first one it could not tell apart from an earlier one: a second change
// of a key that already went up or down, or a character after an editing key (Enter, Backspace,
// an arrow, a Ctrl/Alt/Super shortcut: anything but a modifier or a plain printable key) was
// pressed (ImGui handles a frame's characters before its keys). A plain printable key (a letter typed
// as text) never holds the text back: its second change waits for a later frame while the
// characters after it go on, so typing is not slowed to a character per frame. At least one
// event is taken when the queue is not empty.
std::vector<std::size_t> events_for_frame(const std::deque<Event>& queue);

}  // namespace mllab::app::input
