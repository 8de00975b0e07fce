// Input trickling (src/app/input/trickle.hpp): which queued keyboard events one frame takes, so
// that Dear ImGui 1.86, which reads keys once per frame, sees every press, release and
// character in the order they were typed.
#include <gtest/gtest.h>

#include "app/input/trickle.hpp"

namespace mllab::app::input {
namespace {

constexpr int kA = 65, kB = 66, kEnter = 257, kBackspace = 259, kLeftCtrl = 341, kLeftShift = 340;
constexpr int kCtrl = 0x0002;

Event down(int key, int mods = 0) { return {Event::Kind::Key, key, 0, kActionPress, mods, 0}; }
Event up(int key, int mods = 0) { return {Event::Kind::Key, key, 0, kActionRelease, mods, 0}; }
Event repeat(int key) { return {Event::Kind::Key, key, 0, kActionRepeat, 0, 0}; }
Event ch(unsigned c) { return {Event::Kind::Char, 0, 0, 0, 0, c}; }

// Runs frames until the queue is empty; returns the events each frame took.
std::vector<std::vector<Event>> frames(std::deque<Event> q) {
  std::vector<std::vector<Event>> out;
  while (!q.empty()) {
    const auto idx = events_for_frame(q);
    EXPECT_FALSE(idx.empty());
    std::vector<Event> frame;
    for (std::size_t i : idx) frame.push_back(q[i]);
    for (auto it = idx.rbegin(); it != idx.rend(); ++it) q.erase(q.begin() + std::ptrdiff_t(*it));
    out.push_back(frame);
  }
  return out;
}

TEST(InputTrickle, EmptyQueueTakesNothing) { EXPECT_TRUE(events_for_frame({}).empty()); }

TEST(InputTrickle, APressAndReleaseOfEnterAreSeenInTwoFrames) {
  const auto f = frames({down(kEnter), up(kEnter)});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0][0].action, kActionPress);
  EXPECT_EQ(f[1][0].action, kActionRelease);
}

TEST(InputTrickle, CharactersAfterEnterWaitForTheFrameAfterIt) {
  // "a", Enter, "b": ImGui handles a frame's characters before its keys, so "b" in Enter's
  // frame would land before the line break.
  const auto f = frames({down(kA), ch('a'), up(kA), down(kEnter), up(kEnter), down(kB), ch('b'), up(kB)});
  ASSERT_EQ(f.size(), 3u);
  // Frame 1: 'a' and Enter pressed (a's release waits: its key changed already).
  ASSERT_EQ(f[0].size(), 3u);
  EXPECT_EQ(f[0][1].codepoint, 'a');
  EXPECT_EQ(f[0][2].key, kEnter);
  // Frame 2: a's release, Enter's release, b's press and character (a release does nothing in
  // ImGui, so the character may follow it); b's release waits.
  ASSERT_EQ(f[1].size(), 4u);
  EXPECT_EQ(f[1][1].key, kEnter);
  EXPECT_EQ(f[1][1].action, kActionRelease);
  EXPECT_EQ(f[1][3].codepoint, 'b');
  ASSERT_EQ(f[2].size(), 1u);
  EXPECT_EQ(f[2][0].key, kB);
}

TEST(InputTrickle, PlainTypingIsNotSlowedToACharacterPerFrame) {
  std::deque<Event> q;
  for (char c : std::string("aaaa")) {
    q.push_back(down(kA));
    q.push_back(ch(unsigned(c)));
    q.push_back(up(kA));
  }
  const auto idx = events_for_frame(q);
  int chars = 0;
  for (std::size_t i : idx) chars += q[i].kind == Event::Kind::Char;
  EXPECT_EQ(chars, 4) << "every character in the first frame";
  // The key's own events stay in order across frames: down, up, down, up, ...
  const auto f = frames(q);
  std::vector<int> actions;
  for (const auto& fr : f)
    for (const Event& e : fr)
      if (e.kind == Event::Kind::Key) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<int>{1, 0, 1, 0, 1, 0, 1, 0}));
  for (const auto& fr : f) {  // and no frame holds two changes of the key
    int changes = 0;
    for (const Event& e : fr) changes += e.kind == Event::Kind::Key;
    EXPECT_LE(changes, 1);
  }
}

TEST(InputTrickle, ShortcutThenBackspaceKeepsItsOrder) {
  // Ctrl+A then Backspace (select all, delete): the A of the shortcut is an editing key.
  const auto f = frames({down(kLeftCtrl, kCtrl), down(kA, kCtrl), up(kA, kCtrl), up(kLeftCtrl),
                         down(kBackspace), up(kBackspace), ch('x')});
  ASSERT_EQ(f.size(), 3u);
  ASSERT_EQ(f[0].size(), 2u);  // Ctrl and A down
  EXPECT_EQ(f[1][0].key, kA);  // A up, Ctrl up, Backspace down
  EXPECT_EQ(f[1].back().key, kBackspace);
  EXPECT_EQ(f[1].back().action, kActionPress);
  ASSERT_EQ(f[2].size(), 2u);  // Backspace up, then the character
  EXPECT_EQ(f[2][1].codepoint, 'x');
}

TEST(InputTrickle, ShiftDoesNotHoldBackItsCharacterAndRepeatsPassThrough) {
  const auto f = frames({down(kLeftShift), down(kA, 1), ch('A'), repeat(kA), ch('A'), up(kA, 1), up(kLeftShift)});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].size(), 5u);  // shift, a, 'A', repeat, 'A'
  EXPECT_EQ(f[1].size(), 2u);  // the releases
}

}  // namespace
}  // namespace mllab::app::input
