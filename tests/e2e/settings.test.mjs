// The Storage & settings view through the real UI: usage by kind and the browser's estimate,
// persistent storage, theme and UI scale kept across reloads, and "Clear all data" behind a typed
// confirmation (Esc cancels; confirmed, IndexedDB is empty and a reload shows no data).
// Runs against build-web/dist in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, idbRecords } from './browser.mjs';

const TIMEOUT = { timeout: 180_000 };
let server, url;
before(async () => { ({ server, url } = await startServer()); });
after(() => { server.closeAllConnections(); server.close(); });

const logreg = (name) => ({
  schema: 'mllab.pipeline', schema_version: 1, run_name: name,
  dataset: { path: 'assets/datasets/iris.csv', target: 'target' },
  split: { test_size: 0.25, random_state: 1, stratify: true },
  steps: [{ name: 'scaler', type: 'StandardScaler' }, { name: 'model', type: 'LogisticRegression', params: { max_iter: 200 } }],
});
const storage = async (page) => (await ui(page)).storage;
async function reloadApp(page) {
  await page.reload();
  await page.evaluate(() => window.mllab.ready());
  await waitFrames(page, 3);
}

test('usage by kind, the browser\'s estimate and persistent storage', TIMEOUT, async () => {
  const { context, page } = await openApp(url, newProfileDir());
  try {
    await click(page, 'tab:Storage');
    let s = await storage(page);
    assert.equal(s.kinds.runs.count, 0);
    await screenshot(page, 'settings-empty.png');
    const run = await page.evaluate((spec) => window.mllab.runPipeline(spec), logreg('usage'));
    await page.evaluate(() => window.mllab.loadCsv('tiny.csv', 'a,b\n1,x\n2,y\n'));
    await waitFrames(page, 3);
    s = await storage(page);
    // The view's figures are the store's: the same records IndexedDB holds.
    const keys = await idbRecords(page);
    const count = (p) => keys.filter((k) => k.startsWith(p)).length;
    assert.equal(s.kinds.runs.count, count('runs/'));
    assert.ok(s.kinds.runs.count >= 1 && keys.includes(`runs/${run.run_id}`));
    assert.equal(s.kinds.metrics.count, count('metrics/'));
    assert.equal(s.kinds.artifacts.count, count('artifacts/'));
    assert.equal(s.kinds.blobs.count, count('blobs/'));
    assert.ok(s.kinds.blobs.count >= 1 && s.kinds.blobs.bytes >= 'a,b\n1,x\n2,y\n'.length);
    const total = Object.values(s.kinds).reduce((a, k) => a + k.count, 0);
    assert.equal(total, keys.length);
    await page.waitForFunction(() => { const e = window.mllab.uiState().storage.estimate; return e && e.usage > 0; }, null, TIMEOUT);
    s = await storage(page);
    assert.ok(s.estimate.quota > s.estimate.usage);
    console.log(`records ${total}, browser estimate: usage ${s.estimate.usage} B of quota ${s.estimate.quota} B`);

    await click(page, 'storage:persist');
    await page.waitForFunction(() => window.mllab.uiState().storage.persist_answer !== '', null, TIMEOUT);
    s = await storage(page);
    const real = await page.evaluate(() => navigator.storage.persisted());
    assert.equal(s.persisted, real ? 1 : 0, 'the view shows the browser\'s answer');
    console.log(`persist(): "${s.persist_answer}"`);
    await screenshot(page, 'settings-dark.png');
  } finally {
    await context.close();
  }
});

test('theme and UI scale are applied at once and persist across reloads', TIMEOUT, async () => {
  const { context, page } = await openApp(url, newProfileDir());
  try {
    await click(page, 'tab:Storage');
    const h100 = (await ui(page)).widgets['storage:refresh'].h;
    await click(page, 'settings:theme-light');
    await click(page, 'settings:scale-150');
    await waitFrames(page, 3);
    let s = await storage(page);
    assert.deepEqual(s.settings, { theme: 'light', scale_percent: 150 });
    const h150 = (await ui(page)).widgets['storage:refresh'].h;
    console.log(`Refresh button height: ${h100.toFixed(1)} px at 100%, ${h150.toFixed(1)} px at 150%`);
    assert.ok(h150 / h100 > 1.3 && h150 / h100 < 1.7, 'widgets grow with the scale');
    assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('mllab.settings'))).theme, 'light');
    await screenshot(page, 'settings-light-150.png');

    await reloadApp(page);
    await click(page, 'tab:Storage');
    s = await storage(page);
    assert.deepEqual(s.settings, { theme: 'light', scale_percent: 150 }, 'kept across the reload');
    assert.ok(Math.abs((await ui(page)).widgets['storage:refresh'].h - h150) < 1);

    await click(page, 'settings:theme-dark');
    await click(page, 'settings:scale-100');
    await reloadApp(page);
    await click(page, 'tab:Storage');
    assert.deepEqual((await storage(page)).settings, { theme: 'dark', scale_percent: 100 });
  } finally {
    await context.close();
  }
});

test('clear all data: Esc cancels, a typed DELETE confirms, the store is empty and stays so after a reload', TIMEOUT, async () => {
  const { context, page } = await openApp(url, newProfileDir());
  try {
    const run = await page.evaluate((spec) => window.mllab.runPipeline(spec), logreg('to-delete'));
    await page.evaluate(() => window.mllab.loadCsv('tiny.csv', 'a,b\n1,x\n2,y\n'));
    const before = await idbRecords(page);
    assert.ok(before.length > 3);
    await click(page, 'tab:Storage');

    // Esc closes the dialog; nothing changes.
    await click(page, 'storage:clear');
    assert.equal((await storage(page)).clear_dialog_open, true);
    await screenshot(page, 'settings-clear-dialog.png');
    await page.keyboard.press('Escape');
    await waitFrames(page, 3);
    assert.equal((await storage(page)).clear_dialog_open, false);
    assert.deepEqual(await idbRecords(page), before);

    // Without the word typed, the button does nothing.
    await click(page, 'storage:clear');
    await click(page, 'storage:clear-confirm');
    assert.equal((await storage(page)).clear_dialog_open, true);
    assert.deepEqual(await idbRecords(page), before);
    await click(page, 'storage:clear-input');
    await page.keyboard.type('DELETE');
    await waitFrames(page, 3);
    await click(page, 'storage:clear-confirm');
    await page.evaluate(() => window.mllab.flush());
    await waitFrames(page, 3);
    const s = await storage(page);
    assert.equal(s.clear_dialog_open, false);
    assert.equal(s.cleared_records, before.length);
    assert.deepEqual(await idbRecords(page), [], 'IndexedDB is empty');
    assert.deepEqual(await page.evaluate(() => window.mllab.listRuns()), []);
    assert.equal(Object.values(s.kinds).reduce((a, k) => a + k.count, 0), 0);
    await screenshot(page, 'settings-cleared.png');
    await click(page, 'tab:Runs');
    await waitFrames(page, 3);
    assert.deepEqual((await ui(page)).runs_order || [], []);
    await screenshot(page, 'settings-cleared-runs.png');

    await reloadApp(page);
    assert.deepEqual(await page.evaluate(() => window.mllab.listRuns()), []);
    assert.equal((await page.evaluate(() => window.mllab.listDatasets())).some((d) => d.name === 'tiny'), false);
    assert.deepEqual(await idbRecords(page), []);
    assert.ok(run.run_id);
  } finally {
    await context.close();
  }
});

test('the settings view at device pixel ratio 2, light theme', TIMEOUT, async () => {
  const context = await chromium.launchPersistentContext(newProfileDir(), {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS,
    viewport: { width: 1200, height: 760 }, deviceScaleFactor: 2,
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(url);
    await page.evaluate(() => window.mllab.ready());
    await waitFrames(page, 3);
    await click(page, 'tab:Storage');
    await click(page, 'settings:theme-light');
    await waitFrames(page, 3);
    assert.equal((await storage(page)).settings.theme, 'light');
    await screenshot(page, 'settings-light-dpr2.png');
  } finally {
    await context.close();
  }
});
