// The course module's whole flow in the browser, by real clicks and keys only (the JS API is
// used to check what the UI did, never to do it): the sentiment sentences, TF-IDF(1000) +
// StandardScaler(with_mean=False) + RandomForest trained three times with n_estimators
// 50 / 100 / 200; the runs filtered by `metrics.accuracy > 0.5`; two runs compared; the best
// registered, moved to Staging then Production; two typed sentences predicted and logged, an
// actual recorded; a birdstrikes version derived and drift between its halves; a feature group
// registered and a point-in-time join previewed; a reload, after which everything is still there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, typeInto, pick, clickField } from './browser.mjs';

const T = { timeout: 300_000 };
const TREES = [50, 100, 200];
const MODEL = 'sentiment-course';
const SENTENCES = ['I loved this phone, the sound is wonderful', 'Terrible battery, it broke after one day and I want a refund'];
let server, app;
const api = (method, args) => app.page.evaluate(([m, a]) => window.mllab.api(m, a), [method, args]);
const until = (page, fn, arg, timeout = 120_000) => page.waitForFunction(fn, arg, { timeout });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-course-'));
const learned = {};  // what one step hands the next: run ids, the best run, prediction ids

before(async () => {
  const s = await startServer();
  server = s.server;
  app = await openApp(s.url, newProfileDir());
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});

test('TF-IDF(1000) + StandardScaler(with_mean=False) + RandomForest, trained with n_estimators 50 / 100 / 200', T, async () => {
  const { page } = app;
  await click(page, 'tab:Train');
  await click(page, 'dataset:sentiment');
  await pick(page, 'estimator-combo', 'estimator:RandomForestClassifier');
  // The course's pipeline is the sentences alone: the one-hot step for `source` goes.
  await click(page, 'step-remove:onehot');
  let s = (await ui(page)).pipeline_spec;
  assert.deepEqual(s.steps.map((st) => st.type), ['TfidfVectorizer', 'StandardScaler', 'RandomForestClassifier']);
  const tfidf = s.steps.find((st) => st.type === 'TfidfVectorizer');
  assert.equal(tfidf.params.max_features, 1000);
  assert.equal(s.steps.find((st) => st.type === 'StandardScaler').params.with_mean, false);
  for (const n of TREES) {
    await clickField(page, 'param-n_estimators');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(String(n));
    await page.keyboard.press('Tab');
    await waitFrames(page, 3);
    await typeInto(page, 'run-name', `rf-${n}`, { clear: true });
    s = (await ui(page)).pipeline_spec;
    assert.equal(s.steps.at(-1).params.n_estimators, n);
    assert.equal(s.run_name, `rf-${n}`);
    await click(page, 'train');
    await until(page, (name) => window.mllab.listRuns().some((r) => r.run_name === name && r.status !== 'RUNNING'), `rf-${n}`);
  }
  const runs = (await page.evaluate(() => window.mllab.listRuns())).filter((r) => r.run_name.startsWith('rf-'));
  assert.equal(runs.length, 3);
  for (const n of TREES) {
    const r = runs.find((x) => x.run_name === `rf-${n}`);
    assert.equal(r.status, 'FINISHED', JSON.stringify(r.tags));
    assert.equal(r.params.model__n_estimators, String(n));
    assert.equal(r.params.tfidf_text__max_features, '1000');
    assert.equal(r.params.scaler__with_mean, 'False');
    assert.ok(r.metrics.accuracy > 0.5 && r.metrics.accuracy <= 1, `${r.run_name}: accuracy ${r.metrics.accuracy}`);
  }
  learned.runs = runs;
  learned.best = [...runs].sort((a, b) => b.metrics.accuracy - a.metrics.accuracy || a.run_name.localeCompare(b.run_name))[0];
  await screenshot(page, 'course-trained.png');
});

test('the Runs table filtered by metrics.accuracy > 0.5, two runs compared', T, async () => {
  const { page } = app;
  await click(page, 'tab:Runs');
  await click(page, 'runs-filter');
  await waitFrames(page, 2);
  await page.keyboard.type('metrics.accuracy > 0.5');
  await until(page, () => window.mllab.uiState().runs_filter === 'metrics.accuracy > 0.5');
  await waitFrames(page, 3);
  let s = await ui(page);
  assert.equal(s.runs_filter_error, '');
  const found = await api('searchRuns', { filter: 'metrics.accuracy > 0.5' });
  assert.deepEqual(new Set(s.runs_order), new Set(found.map((r) => r.run_id)));
  for (const r of learned.runs) assert.ok(s.runs_order.includes(r.run_id), `${r.run_name} is listed`);
  // The sweep's parameter varies, so it is a column by default.
  assert.ok(s.widgets['runs-header:model__n_estimators'], 'n_estimators is a column');
  await screenshot(page, 'course-runs-filtered.png');

  await click(page, 'run:rf-50');
  await page.keyboard.down('Control');
  await click(page, 'run:rf-200');
  await page.keyboard.up('Control');
  await until(page, () => window.mllab.uiState().runs_selected.length === 2);
  await click(page, 'runs-compare');
  await until(page, () => window.mllab.uiState().workspace === 'Compare');
  s = await ui(page);
  const id = (n) => learned.runs.find((r) => r.run_name === `rf-${n}`).run_id;
  assert.deepEqual(new Set(s.compare_runs), new Set([id(50), id(200)]));
  await screenshot(page, 'course-compare.png');
});

test('the best run registered, then Staging, then Production', T, async () => {
  const { page } = app;
  await click(page, 'tab:Models');
  await pick(page, 'register-run-combo', `register-run:${learned.best.run_name}`);
  assert.equal((await ui(page)).models.register_run, learned.best.run_id);
  await typeInto(page, 'register-name', MODEL, { clear: true });
  await click(page, 'register');
  await until(page, (m) => window.mllab.uiState().models.selected_model === m, MODEL);
  for (const stage of ['Staging', 'Production']) {
    await pick(page, 'stage-combo', `stage:${stage}`);
    await click(page, 'transition');
    assert.equal((await ui(page)).models.confirm_open, true, 'a confirmation dialog opens');
    await click(page, 'confirm-transition');
    const v = await api('getModelVersion', { name: MODEL, version: 1 });
    assert.equal(v.current_stage, stage);
    assert.equal(v.run_id, learned.best.run_id);
  }
  await screenshot(page, 'course-production.png');
});

test('two typed sentences predicted with models:/NAME/Production and logged; an actual recorded', T, async () => {
  const { page } = app;
  const uri = `models:/${MODEL}/Production`;
  await pick(page, 'uri-combo', `uri:${uri}`);
  await typeInto(page, 'rows-text', SENTENCES.join('\n'), { clear: true });
  await click(page, 'predict');
  await until(page, () => window.mllab.uiState().predict.predictions || window.mllab.uiState().predict.error);
  const shown = (await ui(page)).predict;
  assert.equal(shown.error, '');
  assert.equal(shown.rows, 2, 'one prediction per typed line');
  const expected = await api('predict', { model_uri: uri, data: { records: SENTENCES.map((text) => ({ text })) } });
  assert.deepEqual(shown.predictions.predictions.map(String), expected.predictions.map(String));
  await click(page, 'log-predictions');
  const ids = (await ui(page)).predict.logged_ids;
  assert.equal(ids.length, 2);
  await pick(page, 'actual-pick-combo', `actual-pick:${ids[0]}`);
  await typeInto(page, 'actual-value', String(expected.predictions[0]), { clear: true });
  await click(page, 'save-actual');
  assert.equal((await ui(page)).predict.actual_error, '');
  const log = await api('getPredictionLog', { model_name: MODEL });
  assert.deepEqual(log.map((e) => e.prediction_id).sort(), [...ids].sort());
  // The actual is stored typed as the target, like the prediction (the number, not "1.0" or "1").
  assert.strictEqual(log.find((e) => e.prediction_id === ids[0]).actual, expected.predictions[0]);
  assert.match((await ui(page)).predict.actual_message, new RegExp(`^Recorded actual ${expected.predictions[0]} for `));
  learned.predictionIds = ids;
  await screenshot(page, 'course-predicted.png');
});

test('a derived birdstrikes version, and drift between its earlier and later halves', T, async () => {
  const { page } = app;
  await click(page, 'tab:Data');
  await click(page, 'dataset:birdstrikes');
  await click(page, 'ctab:Clean');
  await pick(page, 'clean-op', 'clean-op:drop_missing');
  await click(page, 'clean-add');
  await click(page, 'clean-derive');
  await until(page, () => window.mllab.uiState().dataset === 'datasets:/birdstrikes');
  await page.evaluate(() => window.mllab.flush());
  const ds = await api('getDataset', { name: 'birdstrikes' });
  assert.equal(ds.version.version, 2);
  assert.deepEqual(ds.version.lineage.steps, [{ op: 'drop_missing' }]);
  learned.derivedRows = ds.version.num_rows;

  await click(page, 'tab:Monitoring');
  await pick(page, 'ref-dataset-combo', 'ref-dataset:datasets:/birdstrikes');
  await click(page, 'ref-first-half');
  await pick(page, 'cur-dataset-combo', 'cur-dataset:datasets:/birdstrikes');
  await click(page, 'cur-second-half');
  await click(page, 'run-drift');
  await until(page, () => window.mllab.uiState().monitoring.report || window.mllab.uiState().monitoring.error);
  const mon = (await ui(page)).monitoring;
  assert.equal(mon.error, '');
  assert.ok(mon.report.columns.length >= 5, `${mon.report.columns.length} columns tested`);
  const half = Math.floor(learned.derivedRows * 50 / 100);
  for (const c of mon.report.columns) {
    assert.ok(c.test && c.test_reason, `${c.column}: the test and why it was chosen`);
    assert.ok(Number.isFinite(c.statistic), `${c.column}: statistic ${c.statistic}`);
    assert.equal(typeof c.drifted, 'boolean', c.column);
    assert.equal(c.n_reference + c.missing_reference, half, `${c.column}: the first half of version 2's rows`);
  }
  assert.match(mon.verdict, /^Drift detected in \d+ of \d+ columns .*: dataset drift (not )?detected$/);
  await screenshot(page, 'course-drift.png');
});

test('a feature group registered from a stored dataset; a point-in-time join previewed', T, async () => {
  const { page } = app;
  const H = 3600 * 1000;
  const T0 = Math.floor(Date.now() / 1000) * 1000 - 30 * H;
  const ts = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const file = path.join(tmp, 'driver_stats.csv');
  fs.writeFileSync(file, ['driver_id,event_timestamp,conv_rate',
    `1001,${ts(T0)},0.5`, `1001,${ts(T0 + 2 * H)},0.55`, `1002,${ts(T0 + H)},0.3`].join('\n') + '\n');
  await page.setInputFiles('#file-input', file);
  await until(page, () => window.mllab.uiState().dataset === 'datasets:/driver_stats');
  await click(page, 'tab:Features');
  await click(page, 'ftab:Register');
  await pick(page, 'freg-dataset', 'freg-dataset:driver_stats');
  await click(page, 'freg-key:driver_id');
  await pick(page, 'freg-ts', 'freg-ts:event_timestamp');
  await typeInto(page, 'freg-ttl', '1d', { clear: true });
  await click(page, 'freg-register');
  assert.equal((await ui(page)).features_view.register_error, '');
  await click(page, 'ftab:Point-in-time join');
  await click(page, 'fjoin-src:csv');
  await typeInto(page, 'fjoin-csv', `driver_id,event_timestamp\n1001,${ts(T0 + 3 * H)}\n1002,${ts(T0)}\n`, { clear: true });
  await click(page, 'fjoin-feat:driver_stats:conv_rate');
  await click(page, 'fjoin-run');
  const s = await ui(page);
  assert.equal(s.features_view.join_error, '');
  // The newest row at or before each entity's time: 1001 at T0+3h sees T0+2h; 1002 at T0 sees nothing.
  assert.deepEqual(s.features_view.join_result.map((r) => [r.driver_id, r.conv_rate]), [[1001, 0.55], [1002, null]]);
  await screenshot(page, 'course-features.png');
});

test('reload: the runs, the model and its stage, the prediction log, the versions and the feature group are still there', T, async () => {
  const { page } = app;
  await page.evaluate(() => window.mllab.flush());
  await page.reload();
  await page.evaluate(() => window.mllab.ready());
  await waitFrames(page, 3);
  const runs = (await page.evaluate(() => window.mllab.listRuns())).filter((r) => r.run_name.startsWith('rf-'));
  assert.deepEqual(runs.map((r) => r.run_name).sort(), ['rf-100', 'rf-200', 'rf-50']);
  for (const r of runs) {
    const before = learned.runs.find((x) => x.run_id === r.run_id);
    assert.deepEqual(r.metrics, before.metrics, r.run_name);
  }
  assert.equal((await api('getModelVersion', { name: MODEL, version: 1 })).current_stage, 'Production');
  const log = await api('getPredictionLog', { model_name: MODEL });
  assert.deepEqual(log.map((e) => e.prediction_id).sort(), [...learned.predictionIds].sort());
  const ds = await api('getDataset', { name: 'birdstrikes' });
  assert.equal(ds.versions.length, 2);
  assert.equal(ds.version.num_rows, learned.derivedRows);
  const groups = await api('listFeatureGroups');
  assert.deepEqual(groups.map((g) => g.name), ['driver_stats']);
  // What the UI shows after the reload: the runs in the table, the model in Models.
  await click(page, 'tab:Runs');
  let s = await ui(page);
  for (const r of runs) assert.ok(s.runs_order.includes(r.run_id), `${r.run_name} in the Runs table`);
  await click(page, 'tab:Models');
  s = await ui(page);
  assert.ok(s.widgets[`model:${MODEL}`], 'the registered model is listed');
  await screenshot(page, 'course-after-reload.png');
});
