// The Features view in a real browser, by clicks and keys: register a feature group from a
// stored dataset (join keys, timestamp column, TTL), its schema and freshness, a point-in-time
// join preview of a typed entity table checked against getHistoricalFeatures and Feast's rule
// worked out by hand, an online lookup against getOnlineFeatures, and a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, typeInto, pick } from './browser.mjs';

const T = { timeout: 180000 };
let server, url, profile, app;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-features-'));
const H = 3600 * 1000;
// Times relative to now (whole seconds), so the 1-day TTL means the same today as ever.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 30 * H;
const ts = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');

before(async () => {
  ({ server, url } = await startServer());
  profile = newProfileDir();
  app = await openApp(url, profile);
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});


const DRIVERS = [
  'driver_id,event_timestamp,conv_rate,trips',
  `1001,${ts(T0)},0.5,10`,
  `1001,${ts(T0 + 2 * H)},0.55,12`,
  `1002,${ts(T0 + H)},0.3,5`,
  `1002,${ts(T0 + 25 * H)},0.35,7`,
  `1003,${ts(T0 - 20 * H)},0.7,20`,
].join('\n') + '\n';

test('empty state, then register a feature group from a stored dataset', T, async () => {
  const { page } = app;
  await click(page, 'tab:Features');
  assert.deepEqual((await ui(page)).features_view.groups, []);
  await screenshot(page, 'features-empty.png');
  const file = path.join(tmp, 'driver_stats.csv');
  fs.writeFileSync(file, DRIVERS);
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction(() => window.mllab.uiState().dataset === 'datasets:/driver_stats');
  await click(page, 'ftab:Register');
  await pick(page, 'freg-dataset', 'freg-dataset:driver_stats');
  await click(page, 'freg-key:driver_id');
  await pick(page, 'freg-ts', 'freg-ts:event_timestamp');
  await typeInto(page, 'freg-ttl', '1d', { clear: true });
  // A bad TTL first: the error is shown and nothing is registered.
  // (Typed at the end of the still active field: a second click this soon would be a
  // double-click, which selects the word.)
  await page.keyboard.press('End');
  await page.keyboard.type('x');
  await waitFrames(page, 3);
  await click(page, 'freg-register');
  let state = await ui(page);
  assert.match(state.features_view.register_error, /ttl: .*1dx/);
  assert.deepEqual(await page.evaluate(() => window.mllab.api('listFeatureGroups')), []);
  await typeInto(page, 'freg-ttl', '1d', { clear: true });
  await click(page, 'freg-register');
  await page.evaluate(() => window.mllab.flush());
  const groups = await page.evaluate(() => window.mllab.api('listFeatureGroups'));
  assert.equal(groups.length, 1);
  assert.equal(groups[0].name, 'driver_stats');
  assert.equal(groups[0].versions[0].ttl, '1d');
  assert.deepEqual(groups[0].versions[0].join_keys, ['driver_id']);
  await screenshot(page, 'features-registered.png');
  await click(page, 'ftab:Groups');
  state = await ui(page);
  const g = state.features_view.groups[0];
  assert.equal(g.num_rows, 5);
  assert.equal(g.ttl, '1d');
  assert.equal(g.newest_event, ts(T0 + 25 * H), 'freshness: the newest event timestamp');
  assert.ok(state.widgets['fgroup:driver_stats']);
  await screenshot(page, 'features-groups.png');
});

const ENTITIES = [
  'driver_id,event_timestamp',
  `1001,${ts(T0 + H)}`,
  `1001,${ts(T0 + 3 * H)}`,
  `1002,${ts(T0)}`,
  `1003,${ts(T0 + 10 * H)}`,
].join('\n') + '\n';

test('point-in-time join preview equals getHistoricalFeatures and Feast\'s rule', T, async () => {
  const { page } = app;
  await click(page, 'ftab:Point-in-time join');
  await click(page, 'fjoin-src:csv');
  await typeInto(page, 'fjoin-csv', ENTITIES);
  await click(page, 'fjoin-feat:driver_stats:conv_rate');
  await click(page, 'fjoin-feat:driver_stats:trips');
  await click(page, 'fjoin-run');
  const state = await ui(page);
  assert.equal(state.features_view.join_error, '');
  const shown = state.features_view.join_result;
  const api = await page.evaluate((csv) => window.mllab.api('getHistoricalFeatures',
    { entity_df: { csv }, features: ['driver_stats:conv_rate', 'driver_stats:trips'] }), ENTITIES);
  assert.deepEqual(shown, api);
  // By hand: the newest row at or before each entity time, within 1 day.
  assert.deepEqual(shown.map((r) => [r.driver_id, r.conv_rate, r.trips]), [
    [1001, 0.5, 10],   // T0+1h sees the T0 row
    [1001, 0.55, 12],  // T0+3h sees the T0+2h row
    [1002, null, null],  // its first row is later
    [1003, null, null],  // its row is 30 h old: beyond the TTL
  ]);
  assert.ok(state.widgets['fjoin-result']);
  await screenshot(page, 'features-join.png');
  // The same entity table as a stored dataset: the same rows.
  const file = path.join(tmp, 'entities.csv');
  fs.writeFileSync(file, ENTITIES);
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction(() => window.mllab.uiState().dataset === 'datasets:/entities');
  await click(page, 'fjoin-src:dataset');
  await pick(page, 'fjoin-dataset', 'fjoin-dataset:entities');
  await click(page, 'fjoin-run');
  const again = await ui(page);
  assert.equal(again.features_view.join_error, '');
  assert.deepEqual(again.features_view.join_result, api);
});

test('online lookup: typed entity key, latest values equal getOnlineFeatures', T, async () => {
  const { page } = app;
  await click(page, 'ftab:Online lookup');
  await typeInto(page, 'fonline-key:driver_id', '1002');
  await click(page, 'fonline-feat:driver_stats:conv_rate');
  await click(page, 'fonline-feat:driver_stats:trips');
  await click(page, 'fonline-lookup');
  let state = await ui(page);
  const api = await page.evaluate(() => window.mllab.api('getOnlineFeatures',
    { features: ['driver_stats:conv_rate', 'driver_stats:trips'], entity_rows: { records: [{ driver_id: 1002 }] } }));
  assert.deepEqual(state.features_view.online_result, api);
  assert.deepEqual(state.features_view.online_result.map((r) => [r.conv_rate, r.trips]), [[0.35, 7]]);
  await screenshot(page, 'features-online.png');
  // 1003's latest row is older than the TTL: null, as in Feast's online store.
  await typeInto(page, 'fonline-key:driver_id', '1003', { clear: true });
  await click(page, 'fonline-lookup');
  state = await ui(page);
  assert.deepEqual(state.features_view.online_result.map((r) => [r.conv_rate, r.trips]), [[null, null]]);
});

test('reload: the feature group is still there', T, async () => {
  const { page } = app;
  await page.reload();
  await page.evaluate(() => window.mllab.ready());
  await waitFrames(page, 3);
  await click(page, 'tab:Features');
  const state = await ui(page);
  assert.equal(state.features_view.groups.length, 1);
  assert.equal(state.features_view.groups[0].newest_event, ts(T0 + 25 * H));
  await screenshot(page, 'features-after-reload.png');
});
