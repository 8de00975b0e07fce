/* The IndexedDB bridge: C functions implemented in JavaScript (web/idb_bridge.js, linked with
 * --js-library) and, natively, by an in-memory fake (idb_bridge_fake.cpp) used by the tests.
 * Records are key -> bytes. The JS side opens the database and reads every record before main. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* Number of records read from IndexedDB at startup. */
int mllab_idb_loaded_count(void);
/* Copies record i's key / value into dst (if cap allows) and returns its length in bytes. */
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

#ifdef __cplusplus
}
#endif
