// The IndexedDB bridge (--js-library): the C functions declared in
// src/platform/web/idb_bridge.h. State lives in Module.mllabIdb (web/pre.js), which opened the
// database and read every record before main.
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
    if (dst && cap >= b.length) HEAPU8.set(b, dst);
    return b.length;
  },
  mllab_idb_loaded_release: function () {
    Module.mllabIdb.loaded = [];
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
});
