/* The IndexedDB bridge: C functions implemented in JavaScript (web/idb_bridge.js, linked with
 * --js-library) and, natively, by an in-memory fake (idb_bridge_fake.cpp) used by the tests.
 * Records are key -> bytes. The JS side opens the database and reads every record before main. */
#pragma once

/* The C++ functions that JS calls are kept alive (exported) in the web build. */
#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define MLLAB_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define MLLAB_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Number of records read from IndexedDB at startup (or re-read after another tab's change). */
int mllab_idb_loaded_count(void);
/* Copies record i's key / value into dst (if cap allows) and returns its length in bytes; a value
 * of -1 means the record is absent (deleted by another tab). */
int mllab_idb_loaded_key(int i, char* dst, int cap);
int mllab_idb_loaded_value(int i, char* dst, int cap);
/* Frees the startup copy of the records. */
void mllab_idb_loaded_release(void);

/* A write batch: begin, any number of puts and deletes, commit. The commit issues every write in
 * one readwrite transaction; its outcome arrives later through mllab_idb_on_batch_done. */
void mllab_idb_batch_begin(int batch_id);
void mllab_idb_batch_put(int batch_id, const char* key, int key_len, const char* value, int value_len);
void mllab_idb_batch_delete(int batch_id, const char* key, int key_len);
void mllab_idb_batch_commit(int batch_id);

/* Implemented in C++ (exported to JS): a batch's transaction completed (ok = 1) or failed
 * (ok = 0, error = the DOMException name and message, e.g. "QuotaExceededError: ..."). */
void mllab_idb_on_batch_done(int batch_id, int ok, const char* error);

/* Other tabs on the same profile. When another tab's transaction has completed, the JS side
 * re-reads its keys from IndexedDB into the loaded records (above) and calls
 * mllab_idb_on_remote_change(snapshot), where snapshot is mllab_idb_write_version() taken when the
 * read transaction was created. Both implemented in C++. */
int mllab_idb_write_version(void);
void mllab_idb_on_remote_change(int snapshot);

/* Sessions: each page load holds a Web Lock named after its session id while it lives.
 * This page's id, copied into dst if cap allows; returns its length (0: no Web Locks). */
int mllab_idb_session_id(char* dst, int cap);
/* Requests another session's lock; once granted (that page is gone) calls
 * mllab_idb_on_session_ended(id), then releases it. */
void mllab_idb_watch_session(const char* id, int id_len);
/* Implemented in C++ (platform/web/session.cpp). */
void mllab_idb_on_session_ended(const char* id);

#ifdef __cplusplus
}
#endif
