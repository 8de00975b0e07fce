// The IndexedDB bridge (--js-library): the C functions declared in
// src/platform/web/idb_bridge.h. State lives in Module.mllabIdb (web/pre.js), which opened the
// database, read every record and took this page's session lock before main.
mergeInto(LibraryManager.library, {
  mllab_idb_loaded_count: function () {
    return Module.mllabIdb.loaded.length;
  },
  mllab_idb_loaded_key: function (i, dst, cap) {
    var b = Module.mllabIdb.loaded[i].key;
    if (dst && cap >= b.length) HEAPU8.set(b, dst);
    return b.length;
  },
  mllab_idb_loaded_value: function (i, dst, cap) {
    var b = Module.mllabIdb.loaded[i].value;
    if (b === null) return -1;  // absent: another tab deleted it
    if (dst && cap >= b.length) HEAPU8.set(b, dst);
    return b.length;
  },
  mllab_idb_loaded_release: function () {
    Module.mllabIdb.loaded = [];
    // The first release is the store opening: other tabs' changes can be applied from now on.
    if (!Module.mllabIdb.storeReady) {
      Module.mllabIdb.storeReady = true;
      Module.mllabIdb.pumpRemote();
    }
  },
  mllab_idb_batch_begin: function (id) {
    Module.mllabIdb.batches.set(id, []);
  },
  mllab_idb_batch_put: function (id, key, keyLen, value, valueLen) {
    // Copy out of the wasm heap: a view would structured-clone the whole heap (pitfall 12).
    Module.mllabIdb.batches.get(id).push([UTF8ToString(key, keyLen), HEAPU8.slice(value, value + valueLen)]);
  },
  mllab_idb_batch_delete: function (id, key, keyLen) {
    Module.mllabIdb.batches.get(id).push([UTF8ToString(key, keyLen), null]);
  },
  mllab_idb_batch_commit: function (id) {
    var ops = Module.mllabIdb.batches.get(id);
    Module.mllabIdb.batches.delete(id);
    Module.mllabIdb.commit(id, ops);
  },
  mllab_idb_session_id: function (dst, cap) {
    var b = new TextEncoder().encode(Module.mllabIdb.sessionId);
    if (dst && cap >= b.length) HEAPU8.set(b, dst);
    return b.length;
  },
  mllab_idb_watch_session: function (id, idLen) {
    Module.mllabIdb.watchSession(UTF8ToString(id, idLen));
  },
});
