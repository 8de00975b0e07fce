// Runs before main (--pre-js): opens IndexedDB and reads every record so the C++ store starts
// with them, and defines the IndexedDB side of the write path. window.mllab (the JS API) is
// defined in index.html on top of the exported C functions.
var Module = typeof Module !== 'undefined' ? Module : {};

Module.mllabIdb = (function () {
  var DB_NAME = 'mllab';
  var STORE = 'records';
  var state = {
    db: null,
    loaded: [],
    batches: new Map(),
    pending: 0,
    idleWaiters: [],
    failNext: null,
    lastError: '',
    committed: 0,
  };
  var enc = new TextEncoder();

  function settle() {
    if (state.pending === 0) {
      var w = state.idleWaiters;
      state.idleWaiters = [];
      w.forEach(function (f) { f(); });
    }
  }

  state.open = function () {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE); };
      req.onerror = function () { reject(req.error); };
      req.onsuccess = function () {
        state.db = req.result;
        var tx = state.db.transaction(STORE, 'readonly');
        var os = tx.objectStore(STORE);
        var keysReq = os.getAllKeys();
        var valsReq = os.getAll();
        tx.oncomplete = function () {
          var keys = keysReq.result, vals = valsReq.result;
          for (var i = 0; i < keys.length; ++i) {
            state.loaded.push({ key: enc.encode(keys[i]), value: new Uint8Array(vals[i]) });
          }
          resolve();
        };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      };
    });
  };

  // One readwrite transaction per batch; done when it completes (pitfall 13).
  state.commit = function (id, ops) {
    state.pending++;
    var finished = false;
    function done(ok, msg) {
      if (finished) return;
      finished = true;
      state.pending--;
      if (ok) state.committed++;
      else state.lastError = msg;
      try {
        Module.ccall('mllab_idb_on_batch_done', null, ['number', 'number', 'string'], [id, ok ? 1 : 0, msg]);
      } finally {
        settle();
      }
    }
    var tx;
    try {
      tx = state.db.transaction(STORE, 'readwrite');
      var os = tx.objectStore(STORE);
      ops.forEach(function (op) {
        if (op[1] === null) os.delete(op[0]);
        else os.put(op[1].buffer, op[0]);
      });
    } catch (e) {
      done(false, (e && e.name ? e.name + ': ' : '') + (e && e.message ? e.message : String(e)));
      return;
    }
    tx.oncomplete = function () { done(true, ''); };
    tx.onabort = tx.onerror = function () {
      var e = tx.error;
      done(false, e ? e.name + ': ' + e.message : 'AbortError: transaction aborted');
    };
    if (state.failNext) {
      // Fault injection for tests: abort this real transaction before it commits.
      state.failNext = null;
      tx.abort();
    }
  };

  // Resolves when every batch sent so far has completed.
  state.whenIdle = function () {
    return new Promise(function (resolve) {
      state.idleWaiters.push(resolve);
      settle();
    });
  };
  return state;
})();

Module.preRun = Module.preRun || [];
Module.preRun.push(function () {
  addRunDependency('mllab-idb');
  Module.mllabIdb.open().then(function () {
    removeRunDependency('mllab-idb');
  }, function (err) {
    Module.mllabIdb.openError = String(err && err.message ? err.message : err);
    console.error('MLLab: could not open IndexedDB: ' + Module.mllabIdb.openError);
    removeRunDependency('mllab-idb');
  });
});
