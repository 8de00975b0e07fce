// Run owners in the browser: each page load is a session (a random id whose Web Lock the page
// holds while it lives, web/pre.js); runs record it, and a session whose lock can be taken is gone
// (its page was closed or reloaded).
#pragma once

#include <functional>
#include <string>

#include "platform/run_owner.hpp"

namespace mllab::platform {

// This page's session id ("" when the browser has no Web Locks: then nothing is recorded or judged).
std::string browser_session_id();
// Ownership by this page's session. Judging another session's run asks the bridge to wait for
// that session's lock: until it is granted the session counts as alive; once granted it is gone,
// and the ended-session listener is called (reap again then).
RunOwnership browser_session_ownership();
// Called with a session's id once its page is known to be gone.
void set_session_ended_listener(std::function<void(const std::string&)> listener);

}  // namespace mllab::platform
