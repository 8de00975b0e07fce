// The static site offline and while loading: the service worker (first visit online, reload with
// the network off and the server gone: the app starts and the stored run is there; a new build
// is offered as "Reload to update" and replaces the old cache), progress in words while loading,
// and plain messages when WebGL2 or IndexedDB is unavailable, a download fails or the module
// cannot start. Runs against build-web/dist in Debian's Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { CHROMIUM_FLAGS, DIST, ROOT, newProfileDir, openApp, waitFrames, screenshot, idbRecords } from './browser.mjs';

const TIMEOUT = { timeout: 180_000 };
const logreg = (name) => ({
  schema: 'mllab.pipeline', schema_version: 1, run_name: name,
  dataset: { path: 'assets/datasets/iris.csv', target: 'target' },
  split: { test_size: 0.25, random_state: 1, stratify: true },
  steps: [{ name: 'scaler', type: 'StandardScaler' }, { name: 'model', type: 'LogisticRegression', params: { max_iter: 200 } }],
});

// A copy of the built site in a folder of its own (tests change and rebuild it).
function copyDist() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-site-'));
  for (const f of fs.readdirSync(DIST)) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
  return dir;
}
function closeServer(server) {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
}
const manifest = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'build.json'), 'utf8'));

// Launches Chromium on `profile` without waiting for the app (for the failure cases).
async function launch(profile, options = {}) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 860 }, ...options,
  });
  const page = context.pages()[0] || await context.newPage();
  return { context, page };
}
// Waits until the service worker is active and has precached the build; returns its version.
async function waitPrecached(page) {
  await page.waitForFunction(() => window.mllabSite && window.mllabSite.swVersion !== '', null, TIMEOUT);
  return page.evaluate(async () => {
    const version = window.mllabSite.swVersion;
    const cache = await caches.open('mllab-' + version);
    const names = (await cache.keys()).map((r) => new URL(r.url).pathname.replace(/^\//, '')).sort();
    return { version, names, caches: await caches.keys() };
  });
}
async function statusText(page) {
  return page.evaluate(() => ({
    title: document.getElementById('status-title').textContent,
    text: document.getElementById('status-text').textContent,
    detail: document.getElementById('status-detail').textContent,
    records: document.getElementById('status-records').textContent,
    visible: getComputedStyle(document.getElementById('status')).display !== 'none',
    phase: window.mllabSite.phase,
  }));
}

test('offline: after one visit the app starts with the network off and the server gone, with the stored run', TIMEOUT, async () => {
  const dir = copyDist();
  const log = [];
  const { server, url } = await serve(dir, 0, { log });
  const app = await openApp(url, newProfileDir());
  try {
    const { page, context } = app;
    const cached = await waitPrecached(page);
    assert.equal(cached.version, manifest(dir).version, 'the worker serves this build');
    assert.deepEqual(cached.names, ['index.html', 'mllab.data', 'mllab.js', 'mllab.wasm']);
    const run = await page.evaluate((spec) => window.mllab.runPipeline(spec), logreg('offline-run'));
    assert.equal(run.status, 'FINISHED');

    // A second visit online, now served by the worker: nothing of the app comes from the server.
    log.length = 0;
    await page.reload();
    await page.evaluate(() => window.mllab.ready());
    const online = await page.evaluate(() => window.mllabSite.readyAt);
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled by the worker');
    const fromServer = log.filter((p) => /mllab\.(js|wasm|data)$|\/$|index\.html$/.test(p));
    assert.deepEqual(fromServer, [], 'the app files come from the cache');

    // Offline, and the server stopped too.
    await context.setOffline(true);
    await closeServer(server);
    await page.reload();
    await page.evaluate(() => window.mllab.ready());
    await waitFrames(page, 3);
    const offline = await page.evaluate(() => window.mllabSite.readyAt);
    const runs = await page.evaluate(() => window.mllab.listRuns());
    assert.ok(runs.some((r) => r.run_id === run.run_id && r.status === 'FINISHED'), 'the stored run is there offline');
    assert.ok((await page.evaluate(() => window.mllab.listDatasets())).length > 0, 'the built-in datasets load offline');
    console.log(`navigation to ready, cached second visit: online ${online.toFixed(0)} ms, offline ${offline.toFixed(0)} ms`);
    await screenshot(page, 'offline-reload.png');
  } finally {
    await app.context.close();
    if (server.listening) await closeServer(server);
  }
});

test('a new build is offered as "Reload to update" and replaces the old cache', TIMEOUT, async () => {
  const dir = copyDist();
  const { server, url } = await serve(dir, 0);
  const app = await openApp(url, newProfileDir());
  try {
    const { page } = app;
    const v1 = (await waitPrecached(page)).version;
    assert.equal(await page.evaluate(() => window.mllabSite.updateReady), false);

    // A new build of the site: a changed page, its manifest and worker written by the build's own step.
    const page1 = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    fs.writeFileSync(path.join(dir, 'index.html'), page1.replace('<title>MLLab</title>', '<title>MLLab (rebuilt)</title>'));
    execFileSync(process.execPath, [path.join(ROOT, 'web/make_manifest.mjs'), dir, path.join(ROOT, 'web/sw.js')]);
    const v2 = manifest(dir).version;
    assert.notEqual(v2, v1);

    // The next visit still runs the old build (from the cache) and offers the new one.
    await page.reload();
    await page.evaluate(() => window.mllab.ready());
    let t0 = Date.now();
    await page.waitForFunction(() => window.mllabSite.updateReady, null, TIMEOUT);
    console.log(`the update offer appeared ${Date.now() - t0} ms after the reload's ready`);
    assert.equal(await page.title(), 'MLLab', 'still the old build');
    assert.ok(await page.isVisible('#update-offer'));
    assert.match(await page.textContent('#update-offer'), /new version.*Reload to update/);
    await screenshot(page, 'update-offer.png');

    // Accepting it reloads into the new build; only its cache is left.
    t0 = Date.now();
    await Promise.all([page.waitForEvent('load', TIMEOUT), page.click('#update-reload')]);
    await page.evaluate(() => window.mllab.ready());
    await page.waitForFunction((v) => window.mllabSite.swVersion === v, v2, TIMEOUT);
    console.log(`Reload to update: the new build ran ${Date.now() - t0} ms after the click`);
    assert.equal(await page.title(), 'MLLab (rebuilt)', 'the new page is running');
    assert.deepEqual(await page.evaluate(() => caches.keys()), [`mllab-${v2}`], 'the old build\'s cache is deleted');
    assert.equal(await page.isVisible('#update-offer'), false);
  } finally {
    await app.context.close();
    await closeServer(server);
  }
});

test('loading shows progress in words: bytes downloaded and the saved records being read', TIMEOUT, async () => {
  const profile = newProfileDir();
  // Some saved records first (on the same origin, so the same port, as the slow visit below).
  let port;
  {
    const { server, url } = await serve(DIST, 0);
    port = server.address().port;
    // No service worker in this profile: the slow visit's download must come from the server.
    const app = await launch(profile, { serviceWorkers: 'block' });
    await app.page.goto(url);
    await app.page.evaluate(() => window.mllab.ready());
    await app.page.evaluate((spec) => window.mllab.runPipeline(spec), logreg('saved'));
    await app.context.close();
    await closeServer(server);
  }
  // Then a slow download: half of mllab.wasm arrives, the rest when the test has looked.
  let release;
  const released = new Promise((r) => { release = r; });
  const wasm = fs.readFileSync(path.join(DIST, 'mllab.wasm'));
  const hook = (req, res, u) => {
    if (!u.pathname.endsWith('/mllab.wasm')) return false;
    res.writeHead(200, { 'content-type': 'application/wasm', 'content-length': wasm.length, 'cache-control': 'no-cache' });
    const half = Math.floor(wasm.length / 2);
    res.write(wasm.subarray(0, half));
    released.then(() => res.end(wasm.subarray(half)));
    return true;
  };
  const { server, url } = await serve(DIST, port, { hook });
  // Without the worker, so the download really comes from this server.
  const { context, page } = await launch(profile, { serviceWorkers: 'block' });
  try {
    await page.goto(url);
    await page.waitForFunction(() => /^The app: .* MB of .* MB downloaded/.test(document.getElementById('status-text').textContent)
      && /records?$/.test(document.getElementById('status-records').textContent), null, { timeout: 90_000 })
      .catch(async (e) => { console.log('loading page at the timeout:', JSON.stringify(await statusText(page))); throw e; });
    const s = await statusText(page);
    console.log(`loading page: "${s.title}" / "${s.text}" / "${s.detail}" / "${s.records}"`);
    assert.equal(s.visible, true);
    const n = Number(/([\d,]+) records?$/.exec(s.records)[1].replace(/,/g, ''));
    assert.equal(n, (await idbRecords(page)).length, 'the count is the number of saved records');
    await screenshot(page, 'loading.png');
    release();
    await page.evaluate(() => window.mllab.ready());
    await waitFrames(page, 2);
    assert.equal((await statusText(page)).visible, false, 'the loading page goes once the app is ready');
  } finally {
    release();
    await context.close();
    await closeServer(server);
  }
});

test('WebGL2 unavailable: the page says so and what to do', TIMEOUT, async () => {
  const { server, url } = await serve(DIST, 0);
  const { context, page } = await launch(newProfileDir());
  try {
    await page.addInitScript(() => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return kind === 'webgl2' ? null : original.call(this, kind, ...rest);
      };
    });
    await page.goto(url);
    await page.waitForFunction(() => window.mllabSite && window.mllabSite.phase === 'failed', null, TIMEOUT);
    const s = await statusText(page);
    assert.equal(s.visible, true);
    assert.match(s.title, /needs WebGL2/);
    assert.match(s.detail, /hardware acceleration/);
    assert.equal(await page.evaluate(() => typeof Module._main), 'undefined', 'the module is not even loaded');
    await screenshot(page, 'no-webgl2.png');
  } finally {
    await context.close();
    await closeServer(server);
  }
});

test('IndexedDB unavailable: the page says nothing will be saved and why; the app still works in memory', TIMEOUT, async () => {
  const { server, url } = await serve(DIST, 0);
  const { context, page } = await launch(newProfileDir());
  try {
    await page.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    await page.goto(url);
    await page.evaluate(() => window.mllab.ready());
    const s = await statusText(page);
    assert.equal(s.visible, true);
    assert.match(s.title, /cannot save/);
    assert.match(s.text, /denied permission/);
    assert.match(s.detail, /Private or incognito/);
    await screenshot(page, 'no-indexeddb.png');
    await page.click('#status-continue');
    assert.equal((await statusText(page)).visible, false);
    await waitFrames(page, 3);
    // Training works, kept in memory only.
    const run = await page.evaluate((spec) => window.mllab.runPipeline(spec), logreg('memory-only'));
    assert.equal(run.status, 'FINISHED');
  } finally {
    await context.close();
    await closeServer(server);
  }
});

test('a failed download or a module that cannot start says what happened', TIMEOUT, async () => {
  const { server, url } = await serve(DIST, 0);
  const cases = [
    { file: 'mllab.wasm', route: (r) => r.fulfill({ status: 404, body: 'not found' }), title: /could not be downloaded/, text: /mllab\.wasm.*HTTP 404/, shot: 'failed-wasm-download.png' },
    { file: 'mllab.data', route: (r) => r.abort('failed'), title: /could not be downloaded/, text: /mllab\.data/, shot: 'failed-data-download.png' },
    { file: 'mllab.wasm', route: (r) => r.fulfill({ status: 200, contentType: 'application/wasm', body: 'not a module' }), title: /could not start/, text: /damaged.*CompileError/, shot: 'failed-module.png' },
  ];
  try {
    for (const c of cases) {
      const { context, page } = await launch(newProfileDir(), { serviceWorkers: 'block' });
      try {
        await page.route(`**/${c.file}`, c.route);
        await page.goto(url);
        await page.waitForFunction(() => window.mllabSite && window.mllabSite.phase === 'failed', null, TIMEOUT);
        const s = await statusText(page);
        console.log(`${c.file}: "${s.title}" / "${s.text}"`);
        assert.equal(s.visible, true);
        assert.match(s.title, c.title);
        assert.match(s.text, c.text);
        assert.ok(await page.isVisible('#status-actions button'), 'a Reload button');
        await screenshot(page, c.shot);
      } finally {
        await context.close();
      }
    }
  } finally {
    await closeServer(server);
  }
});
