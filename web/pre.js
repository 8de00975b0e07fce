// Runs before main (--pre-js): opens IndexedDB and reads every record so the C++ store starts
// with them, takes this page's session lock, and defines the IndexedDB side of the write path and
// of other tabs' changes. window.mllab (the JS API) is defined in index.html on top of the
// exported C functions.
//
// Sessions: each page load has a random id and holds the Web Lock 'mllab-session-<id>' while it
// lives (never released). Runs record it; a page judging another session's run requests that
// lock, which is granted only once the other page is gone (closed, reloaded, crashed).
// Other tabs: after a batch's transaction completes, its keys go out on the BroadcastChannel
// 'mllab-store'; a receiving tab re-reads them from IndexedDB (the durable truth, whatever the
// order of the tabs' transactions) and applies them to its in-memory store.
var Module = typeof Module !== 'undefined' ? Module : {};

Module.mllabIdb = (function () {
  var DB_NAME = 'mllab';
  var STORE = 'records';
  var LOCK_PREFIX = 'mllab-session-';
  function randomId() {
    if (typeof crypto !== 'undefined' && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.from(a, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }
  var hasLocks = typeof navigator !== 'undefined' && !!navigator.locks;
  var state = {
    db: null,
    loaded: [],
    batches: new Map(),
    pending: 0,
    idleWaiters: [],
    failNext: null,
    lastError: '',
    committed: 0,
    failures: 0,
    // '' without Web Locks: then runs record no owner and none is judged.
    sessionId: hasLocks ? randomId() : '',
    storeReady: false,
    remoteKeys: new Set(),
    remoteBusy: false,
    channel: typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('mllab-store') : null,
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
        // The page shows "Reading your saved runs and data… 1,234 records" meanwhile.
        var countReq = os.count();
        countReq.onsuccess = function () {
          state.recordCount = countReq.result;
          if (Module.mllabOnRecordsCounted) Module.mllabOnRecordsCounted(countReq.result);
        };
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

  function size(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(1) + ' GB';
    return n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : Math.round(n / 1e3) + ' KB';
  }
  // "; storage used 4.9 MB of 5.0 MB" (empty when the browser cannot tell).
  function storageUse() {
    if (typeof navigator === 'undefined' || !navigator.storage || !navigator.storage.estimate) {
      return Promise.resolve('');
    }
    return navigator.storage.estimate().then(function (e) {
      return '; storage used ' + size(e.usage || 0) + ' of ' + size(e.quota || 0);
    }, function () { return ''; });
  }

  // "QuotaExceededError: message" (Chromium's quota error has an empty message).
  function describe(e, fallback) {
    if (!e) return fallback;
    return (e.name || 'Error') + (e.message ? ': ' + e.message : '');
  }

  // Batches are grouped: while one transaction is in flight, the batches committed meanwhile
  // wait in `queue`, and go together in the next readwrite transaction (a bulk write of 10,000
  // runs is a handful of transactions instead of 10,000 at ~25 per second). Each batch is still
  // reported on its own, in commit order, once its transaction is done (pitfall 13): a group
  // that completes completes each of its batches; a group that fails fails each of them (the
  // C++ store rolls each back in order, handing "before" values down the chain), so a batch is
  // all-or-nothing whatever its group. flush() (whenIdle) waits for queued batches too.
  state.queue = [];
  state.inFlight = false;
  state.groups = 0;  // transactions issued (for tests and the console)
  state.commit = function (id, ops) {
    state.pending++;
    state.queue.push({ id: id, ops: ops });
    if (!state.inFlight) flushQueue();
  };
  function report(id, ok, msg) {
    state.pending--;
    if (ok) state.committed++;
    else { state.lastError = msg; state.failures++; }
    try {
      Module.ccall('mllab_idb_on_batch_done', null, ['number', 'number', 'string'], [id, ok ? 1 : 0, msg]);
    } catch (e) {
      console.error('MLLab: reporting batch ' + id + ' failed: ' + e);
    }
  }
  function flushQueue() {
    if (state.queue.length === 0) { state.inFlight = false; settle(); return; }
    var group = state.queue;
    state.queue = [];
    state.inFlight = true;
    state.groups++;
    var finished = false;
    function done(ok, msg) {
      if (finished) return;
      finished = true;
      function next() {
        // The next group starts after every batch of this one is reported (in order).
        flushQueue();
      }
      if (ok) {
        if (state.channel) {
          var keys = [];
          group.forEach(function (b) { b.ops.forEach(function (op) { keys.push(op[0]); }); });
          state.channel.postMessage({ keys: keys });
        }
        group.forEach(function (b) { report(b.id, true, ''); });
        next();
      } else {
        // Tell the user how full the storage is (quota errors); still pending until reported.
        storageUse().then(function (use) {
          var what = group.length > 1 ? ' (saved together with ' + (group.length - 1) + ' other change' +
            (group.length > 2 ? 's' : '') + ', all rolled back)' : '';
          group.forEach(function (b) { report(b.id, false, msg + what + use); });
          next();
        });
      }
    }
    if (!state.db) {
      // IndexedDB is unavailable (the page said so): the app keeps its data in memory only.
      Promise.resolve().then(function () { done(true, ''); });
      return;
    }
    var tx;
    try {
      tx = state.db.transaction(STORE, 'readwrite');
      var os = tx.objectStore(STORE);
      group.forEach(function (b) {
        b.ops.forEach(function (op) {
          if (op[1] === null) os.delete(op[0]);
          else os.put(op[1].buffer, op[0]);
        });
      });
    } catch (e) {
      done(false, describe(e, String(e)));
      return;
    }
    tx.oncomplete = function () { done(true, ''); };
    tx.onabort = tx.onerror = function () {
      done(false, describe(tx.error, 'AbortError: transaction aborted'));
    };
    if (state.failNext) {
      // Fault injection for tests: abort this real transaction before it commits.
      state.failNext = null;
      tx.abort();
    }
  }

  // Another tab's batch completed: re-read its keys (one read at a time, keys coalesced) once the
  // C++ store is open. The snapshot tells the store which of its own writes are newer than the read.
  if (state.channel) {
    state.channel.onmessage = function (ev) {
      (ev.data && ev.data.keys || []).forEach(function (k) { state.remoteKeys.add(k); });
      state.pumpRemote();
    };
  }
  state.pumpRemote = function () {
    if (!state.storeReady || state.remoteBusy || state.remoteKeys.size === 0 || !state.db) return;
    var keys = Array.from(state.remoteKeys);
    state.remoteKeys.clear();
    state.remoteBusy = true;
    var snapshot = Module._mllab_idb_write_version();
    var tx = state.db.transaction(STORE, 'readonly');
    var os = tx.objectStore(STORE);
    var reqs = keys.map(function (k) { return os.get(k); });
    function next() {
      state.remoteBusy = false;
      state.pumpRemote();
    }
    tx.oncomplete = function () {
      state.loaded = keys.map(function (k, i) {
        var v = reqs[i].result;
        return { key: enc.encode(k), value: v === undefined ? null : new Uint8Array(v) };
      });
      try {
        Module._mllab_idb_on_remote_change(snapshot);
      } finally {
        next();
      }
    };
    tx.onerror = tx.onabort = function () {
      console.warn('MLLab: could not read records another tab changed: ' + (tx.error && tx.error.message));
      next();
    };
  };

  // Takes this page's session lock (resolves once held; held until the page goes away).
  state.holdSession = function () {
    if (!state.sessionId) return Promise.resolve();
    return new Promise(function (resolve) {
      navigator.locks.request(LOCK_PREFIX + state.sessionId, function () {
        resolve();
        return new Promise(function () {});  // never settles: released when the page goes
      });
    });
  };
  // Waits for another session's lock; granted means its page is gone.
  state.watchSession = function (id) {
    if (!hasLocks) return;
    navigator.locks.request(LOCK_PREFIX + id, function () {
      Module.ccall('mllab_idb_on_session_ended', null, ['string'], [id]);
    });
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

// Reading starts now, while the module downloads and compiles (preRun waits for the module), so
// the page can say "Reading your saved runs and data… 1,234 records" meanwhile.
Module.mllabIdb.opening = Module.mllabIdb.open().then(function () {
  return Module.mllabIdb.holdSession();
});
Module.mllabIdb.opening.catch(function () {});  // handled in preRun
Module.preRun = Module.preRun || [];
Module.preRun.push(function () {
  addRunDependency('mllab-idb');
  Module.mllabIdb.opening.then(function () {
    removeRunDependency('mllab-idb');
  }, function (err) {
    Module.mllabIdb.openError = String(err && err.message ? err.message : err);
    console.error('MLLab: could not open IndexedDB: ' + Module.mllabIdb.openError);
    removeRunDependency('mllab-idb');
  });
});

// Paste: the browser hands the clipboard's text to the page's 'paste' event on Ctrl+V; it goes to
// the app's clipboard (src/app/input/clipboard.cpp) before the frame that handles the queued
// Ctrl+V reads it. Not while a real HTML field (the file picker's) has the focus.
window.addEventListener('paste', function (event) {
  if (!Module.calledRun || !event.clipboardData) return;
  var t = event.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
  Module.ccall('mllab_clipboard_paste', null, ['string'], [event.clipboardData.getData('text/plain')]);
  event.preventDefault();
});
