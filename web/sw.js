// MLLab's service worker: makes the static site work offline after the first visit.
// The build writes dist/sw.js as `self.MLLAB_BUILD = {...build.json...};` followed by this file
// (web/make_manifest.mjs), so every build has different sw.js bytes: the browser installs the
// new worker next to the old one, it precaches the new build's files in a cache of its own
// ('mllab-<version>'), and waits until the page's "Reload to update" (a 'skip-waiting' message)
// or until every tab of the old version is closed; on activation it deletes older caches.
/* global MLLAB_BUILD */
'use strict';

const BUILD = self.MLLAB_BUILD;
const CACHE = 'mllab-' + BUILD.version;
// The page itself is cached as index.html and served for the folder's URL ('./').
const FILES = Object.keys(BUILD.files);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Fresh from the network (not the HTTP cache), each checked against the build's SHA-256:
    // a cache holding files of two builds (a host half-way through publishing) is refused, and
    // the install retried on the next visit.
    await Promise.all(FILES.map(async (name) => {
      const res = await fetch(new Request(name, { cache: 'reload' }));
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
      const bytes = await res.clone().arrayBuffer();
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)),
        (b) => b.toString(16).padStart(2, '0')).join('');
      if (digest !== BUILD.files[name].sha256) {
        throw new Error(`${name}: the server has a different build (SHA-256 ${digest.slice(0, 12)}…)`);
      }
      await cache.put(name, res);
    }));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('mllab-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type === 'skip-waiting') self.skipWaiting();
  if (msg.type === 'version' && event.ports[0]) event.ports[0].postMessage({ version: BUILD.version, cache: CACHE });
});

// Cache first for the build's own files (they change only with a new build, which brings a new
// worker); everything else (there is nothing else today) goes to the network.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  let name = url.pathname.slice(scope.pathname.length);
  if (name === '' || req.mode === 'navigate') name = 'index.html';
  if (!BUILD.files[name]) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(name);
    return hit || fetch(req);
  })());
});
