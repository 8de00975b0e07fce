// The MLOps layer through window.mllab.api in a real browser, persisted in IndexedDB: the model
// registry (stages, aliases, models:/ URIs), predictions with the prediction log, drift against
// a model's training data, dataset lineage, the feature store, nested runs, errors that store
// nothing, and everything still there after a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, newProfileDir, openApp, click, idbRecords, waitFrames, screenshot } from './browser.mjs';

let server, url, profile, app;
const api = (method, args) => app.page.evaluate(([m, a]) => window.mllab.api(m, a), [method, args]);
const apiError = (method, args) => app.page.evaluate(([m, a]) => window.mllab.api(m, a).then(() => 'no error', (e) => e.message), [method, args]);

before(async () => {
  ({ server, url } = await startServer());
  profile = newProfileDir();
  app = await openApp(url, profile);
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});

const ROWS = [
  { 'sepal length (cm)': 5.1, 'sepal width (cm)': 3.5, 'petal length (cm)': 1.4, 'petal width (cm)': 0.2 },
  { 'sepal length (cm)': 6.7, 'sepal width (cm)': 3.0, 'petal length (cm)': 5.2, 'petal width (cm)': 2.3 },
];

test('register, stage, alias and predict through every models:/ URI; predictions are logged', async () => {
  const spec = fs.readFileSync(path.join(ROOT, 'examples/iris-logreg.json'), 'utf8');
  const r1 = await app.page.evaluate((s) => window.mllab.runPipeline(s), spec);
  const r2 = await app.page.evaluate((s) => window.mllab.runPipeline(s), spec);
  assert.equal((await api('registerModel', { model_uri: `runs:/${r1.run_id}/model`, name: 'iris' })).version, '1');
  assert.equal((await api('registerModel', { model_uri: `runs:/${r2.run_id}/model`, name: 'iris' })).version, '2');
  await api('transitionModelVersionStage', { name: 'iris', version: 1, stage: 'Production' });
  const v2 = await api('transitionModelVersionStage', { name: 'iris', version: 2, stage: 'Production', archive_existing_versions: true });
  assert.equal(v2.current_stage, 'Production');
  await api('setRegisteredModelAlias', { name: 'iris', alias: 'champion', version: 1 });
  const model = await api('getRegisteredModel', { name: 'iris' });
  assert.deepEqual(model.versions.map((v) => v.current_stage), ['Archived', 'Production']);

  const expected = (await api('predict', { model_uri: `runs:/${r1.run_id}/model`, data: { records: ROWS } })).predictions;
  assert.deepEqual(expected, [0, 2]);  // iris' labels are numbers, typed as the training target
  for (const uri of ['models:/iris/1', 'models:/iris@champion', 'models:/iris/Production', 'models:/iris/latest']) {
    assert.deepEqual((await api('predict', { model_uri: uri, data: { records: ROWS }, log: true })).predictions, expected, uri);
  }
  const log = await api('getPredictionLog', { model_name: 'iris' });
  assert.equal(log.length, 8);
  // A unique prefix of the id will do; the actual is typed as the labels and must be a class.
  const rec = await api('recordActual', { prediction_id: log[0].prediction_id.slice(0, 10), actual: '0' });
  assert.deepEqual(rec, { prediction_id: log[0].prediction_id, actual: 0 });
  assert.equal((await api('getPredictionLog', { model_name: 'iris' }))[0].error, 0);
  assert.match(await apiError('recordActual', { prediction_id: log[1].prediction_id, actual: 7 }), /'7' is not one of the model's classes \(0, 1, 2\)/);
});

test('an error is one line and leaves IndexedDB exactly as it was', async () => {
  const before = await idbRecords(app.page);
  assert.match(await apiError('predict', { model_uri: 'models:/iris/9', data: { records: ROWS } }), /no version 9/);
  assert.match(await apiError('predict', { model_uri: 'models:/iris/1', data: { records: [{ 'sepal length (cm)': 1 }] } }), /petal width \(cm\)/);
  assert.match(await apiError('transitionModelVersionStage', { name: 'iris', version: 1, stage: 'Prod' }), /invalid stage 'Prod'/);
  assert.match(await apiError('registerFeatures', { name: 'x', entity_keys: ['nope'], data: { csv: 'a,event_timestamp\n1,2024-01-01\n' } }), /nope/);
  assert.match(await apiError('fly', {}), /unknown method 'fly'/);
  assert.deepEqual(await idbRecords(app.page), before);
});

test('drift against the model training data is stored per model version', async () => {
  const iris = fs.readFileSync(path.join(ROOT, 'assets/datasets/iris.csv'), 'utf8').trim().split('\n');
  const shifted = [iris[0], ...iris.slice(1, 61).map((l) => { const f = l.split(','); f[2] = String(Number(f[2]) + 2); return f.join(','); })];
  const report = await api('computeDrift', { model_uri: 'models:/iris/Production', current: { csv: shifted.join('\n') + '\n' } });
  assert.equal(report.dataset_drift, true);
  const petal = report.columns.find((c) => c.column === 'petal length (cm)');
  assert.equal(petal.test, 'ks');
  assert.equal(petal.drifted, true);
  assert.ok(report.columns.find((c) => c.column === 'prediction'), 'the predictions drift too');
  assert.ok(petal.histogram.edges.length > 2, 'histograms ready for the UI');
  const stored = await api('listDriftReports', { model_name: 'iris', version: 2 });
  assert.equal(stored.length, 1);
  assert.equal(stored[0].report_id, report.report_id);
});

test('datasets derive with lineage, feature store joins point-in-time, searches nest child runs', async () => {
  await api('addDataset', { name: 'birds', csv: 'damage,speed\nNone,120\nMinor,140\nSubstantial,150\nNone,90\n' });
  const d = await api('deriveDataset', { name: 'birds_damage', from: 'birds:1',
    steps: [{ op: 'flag', column: 'damage', operator: '!=', value: 'None', as: 'damaged' }] });
  assert.equal(d.version.lineage.parent.name, 'birds');
  assert.equal(d.version.profile.columns.find((c) => c.name === 'damaged').mean, 0.5);

  await api('registerFeatures', { name: 'user_stats', entity_keys: ['user_id'], ttl: '7d',
    data: { csv: 'user_id,event_timestamp,total\n1,2024-01-01,10\n1,2024-01-05,12\n2,2024-01-02,5\n' } });
  const joined = await api('getHistoricalFeatures', { features: ['user_stats:total'],
    entity_df: { records: [{ user_id: 1, event_timestamp: '2024-01-04' }, { user_id: 2, event_timestamp: '2024-01-20' }] } });
  assert.deepEqual(joined.map((r) => r.total), [10, null]);

  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/breast-cancer-grid-search.json'), 'utf8'));
  spec.search.param_grid = { model__n_estimators: [5, 10], model__max_depth: [2] };
  spec.search.cv = 2;
  const parent = await app.page.evaluate((s) => window.mllab.runPipeline(s), spec);
  const children = await api('childRuns', { run_id: parent.run_id });
  assert.equal(children.length, 2);
  assert.ok(children.some((c) => c.run_id === parent.tags['mllab.best_child_run_id']));
});

test('the registry, logs, reports, datasets and features are in IndexedDB and survive a reload', async () => {
  const keys = await idbRecords(app.page);
  for (const prefix of ['registered_models/iris', 'predictions/iris/', 'drift_reports/', 'features/user_stats', 'datasets/birds_damage']) {
    assert.ok(keys.some((k) => k.startsWith(prefix)), `no IndexedDB record ${prefix}`);
  }
  await app.page.reload();
  await app.page.evaluate(() => window.mllab.ready());
  const model = await api('getRegisteredModel', { name: 'iris' });
  assert.deepEqual(model.aliases, [{ alias: 'champion', version: '1' }]);
  assert.deepEqual((await api('predict', { model_uri: 'models:/iris@champion', data: { records: ROWS } })).predictions, [0, 2]);  // iris' numeric labels are numbers (they were the strings '0', '2')
  assert.equal((await api('getPredictionLog', { model_name: 'iris' })).length, 8);
  assert.equal((await api('getFeatures', { name: 'user_stats' })).length, 3);
  await click(app.page, 'tab:Runs');
  // The Runs table nests the search candidates under their parent, closed by default.
  const state = await app.page.evaluate(() => window.mllab.uiState());
  assert.ok(state.widgets['run:rf-grid-search'], 'the parent run has a row');
  assert.ok(!state.widgets['run:rf-grid-search-candidate-0'], 'its candidates are folded under it');
  await screenshot(app.page, 'e2e-mlops.png');
  assert.deepEqual(app.errors, []);
});
