// The Models, Predict and Monitoring panels by real clicks and keys: register a trained sentiment
// model, move it to Staging then Production through the confirmation dialog (Esc cancels), set an
// alias; predict two typed sentences, log them, record an actual; a drift report between the
// halves of birdstrikes, checked against the JS API on the same rows. Numbers in the UI are
// checked against mllab.api on the same inputs (whose values the core tests check against
// scikit-learn / scipy reference values).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, typeInto } from './browser.mjs';

let server, url, profile, app;
const api = (method, args) => app.page.evaluate(([m, a]) => window.mllab.api(m, a), [method, args]);
const MODEL = 'sentiment-ui';
const SENTENCES = ['I loved this phone, the sound is wonderful', 'Terrible battery, it broke after one day and I want a refund'];

before(async () => {
  ({ server, url } = await startServer());
  profile = newProfileDir();
  app = await openApp(url, profile);
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});


test('register a trained run, Staging then Production with the confirmation, an alias', { timeout: 240000 }, async () => {
  const { page } = app;
  const spec = fs.readFileSync(path.join(ROOT, 'examples/sentiment-rf-baseline.json'), 'utf8');
  const run = await page.evaluate((s) => window.mllab.runPipeline(s), spec);
  assert.ok(run.run_id, JSON.stringify(run));
  await click(page, 'tab:Models');
  await click(page, 'register-run-combo');
  await click(page, 'register-run:rf-baseline');
  assert.equal((await ui(page)).models.register_run, run.run_id);
  await typeInto(page, 'register-name', MODEL, { clear: true });
  await click(page, 'register');
  await page.waitForFunction((m) => window.mllab.uiState().models.selected_model === m, MODEL);
  let v = await api('getModelVersion', { name: MODEL, version: 1 });
  assert.equal(v.run_id, run.run_id);
  assert.equal(v.current_stage, 'None');
  await waitFrames(page, 2);  // the version's panel is drawn on the frames after the click
  assert.ok((await ui(page)).widgets['signature'], 'the signature is shown');
  // The input example saved beside the model (model/input_example.json) is shown with it.
  const example = (await ui(page)).models.input_example;
  assert.deepEqual(example.columns, ['text']);
  assert.ok(example.data.length > 0 && typeof example.data[0][0] === 'string', JSON.stringify(example));
  await screenshot(page, 'models-registered.png');

  // None -> Staging, confirmed.
  await click(page, 'stage-combo');
  await click(page, 'stage:Staging');
  await click(page, 'transition');
  assert.equal((await ui(page)).models.confirm_open, true, 'a confirmation dialog opens');
  await screenshot(page, 'models-confirm.png');
  await click(page, 'confirm-transition');
  v = await api('getModelVersion', { name: MODEL, version: 1 });
  assert.equal(v.current_stage, 'Staging');

  // Staging -> Production: Esc cancels the first try, the second is confirmed.
  await click(page, 'stage-combo');
  await click(page, 'stage:Production');
  await click(page, 'archive-existing');
  await click(page, 'transition');
  assert.equal((await ui(page)).models.confirm_open, true);
  await page.keyboard.press('Escape');
  await waitFrames(page, 3);
  assert.equal((await ui(page)).models.confirm_open, false, 'Esc closes the dialog');
  assert.equal((await api('getModelVersion', { name: MODEL, version: 1 })).current_stage, 'Staging', 'Esc changed nothing');
  await click(page, 'transition');
  await click(page, 'confirm-transition');
  v = await api('getModelVersion', { name: MODEL, version: 1 });
  assert.equal(v.current_stage, 'Production');

  await typeInto(page, 'alias-name', 'champion', { clear: true });
  await click(page, 'set-alias');
  const m = await api('getRegisteredModel', { name: MODEL });
  assert.deepEqual(m.aliases, [{ alias: 'champion', version: '1' }]);
  assert.ok((await ui(page)).widgets['alias-delete:champion'], 'the alias is listed');
});

test('predict typed sentences with models:/NAME/Production, log them, record an actual', { timeout: 180000 }, async () => {
  const { page } = app;
  const uri = `models:/${MODEL}/Production`;
  await click(page, 'uri-combo');
  await click(page, `uri:${uri}`);
  await typeInto(page, 'rows-text', SENTENCES.join('\n'), { clear: true });
  await click(page, 'predict');
  await page.waitForFunction(() => window.mllab.uiState().predict.predictions || window.mllab.uiState().predict.error);
  const shown = (await ui(page)).predict;
  assert.equal(shown.error, '');
  assert.equal(shown.uri, uri);
  const expected = await api('predict', { model_uri: uri, data: { records: SENTENCES.map((text) => ({ text })) } });
  // The same labels and classes as the API, typed as the training target (numbers here).
  assert.deepEqual(shown.predictions.predictions, expected.predictions);
  assert.deepEqual(shown.predictions.classes, expected.classes);
  assert.ok(expected.predictions.every((p) => typeof p === 'number'), JSON.stringify(expected.predictions));
  for (let r = 0; r < 2; ++r) {
    const keys = Object.keys(expected.probabilities[r]);
    assert.equal(keys.length, expected.classes.length);
    for (const k of keys) {
      assert.ok(Math.abs(shown.predictions.probabilities[r][k] - expected.probabilities[r][k]) < 1e-12, `row ${r} class ${k}`);
    }
  }
  console.log(`predicted ${JSON.stringify(expected.predictions)} with probabilities ${JSON.stringify(expected.probabilities)}`);
  await screenshot(page, 'predict-shown.png');

  await click(page, 'log-predictions');
  const ids = (await ui(page)).predict.logged_ids;
  assert.equal(ids.length, 2);
  let log = await api('getPredictionLog', { model_name: MODEL });
  assert.deepEqual(log.map((e) => e.prediction_id).sort(), [...ids].sort(), 'the ids shown are the logged ones');
  assert.deepEqual(log.map((e) => String(e.prediction)), expected.predictions.map(String));
  assert.ok((await ui(page)).widgets['logged-ids']);

  // A bad actual is refused inline; a good one is stored typed as the target (a number).
  await click(page, 'actual-pick-combo');
  await click(page, `actual-pick:${ids[1]}`);
  await typeInto(page, 'actual-value', 'negative', { clear: true });
  await click(page, 'save-actual');
  assert.match((await ui(page)).predict.actual_error, /'negative' is not a number/);
  await typeInto(page, 'actual-value', '0', { clear: true });
  await click(page, 'save-actual');
  assert.equal((await ui(page)).predict.actual_error, '');
  log = await api('getPredictionLog', { model_name: MODEL });
  const entry = log.find((e) => e.prediction_id === ids[1]);
  assert.strictEqual(entry.actual, 0, 'the actual is the number 0, as the training target');
  assert.equal(entry.error, String(entry.prediction) === '0' ? 0 : 1);
  assert.equal(log.find((e) => e.prediction_id === ids[0]).actual, undefined);
  await waitFrames(page, 3);
  assert.deepEqual((await ui(page)).predict.pending, [ids[0]], 'only the other prediction still waits for its actual');
  await screenshot(page, 'predict-logged.png');
});

test('drift between the halves of birdstrikes matches computeDrift on the same rows', { timeout: 240000 }, async () => {
  const { page } = app;
  await click(page, 'tab:Monitoring');
  await screenshot(page, 'monitoring-empty.png');
  await click(page, 'ref-dataset-combo');
  await click(page, 'ref-dataset:assets/datasets/birdstrikes.csv');
  await click(page, 'ref-first-half');
  await click(page, 'cur-dataset-combo');
  await click(page, 'cur-dataset:assets/datasets/birdstrikes.csv');
  await click(page, 'cur-second-half');
  await click(page, 'run-drift');
  await page.waitForFunction(() => window.mllab.uiState().monitoring.report || window.mllab.uiState().monitoring.error,
    null, { timeout: 120000 });
  const mon = (await ui(page)).monitoring;
  assert.equal(mon.error, '');

  const lines = fs.readFileSync(path.join(ROOT, 'assets/datasets/birdstrikes.csv'), 'utf8').replace(/\n$/, '').split('\n');
  const rows = lines.slice(1);
  assert.equal(rows.length, 10000);
  const half = Math.floor(rows.length * 50 / 100);
  const csv = (part) => [lines[0], ...part].join('\n') + '\n';
  const expected = await api('computeDrift', { reference: { csv: csv(rows.slice(0, half)) }, current: { csv: csv(rows.slice(half)) } });
  assert.equal(mon.report.columns.length, expected.columns.length);
  assert.equal(mon.report.dataset_drift, expected.dataset_drift);
  for (const want of expected.columns) {
    const got = mon.report.columns.find((c) => c.column === want.column);
    assert.ok(got, want.column);
    assert.equal(got.test, want.test, want.column);
    assert.equal(got.statistic, want.statistic, want.column);
    assert.equal(got.p_value, want.p_value, want.column);
    assert.equal(got.drifted, want.drifted, want.column);
    assert.equal(got.n_reference + got.missing_reference, half, want.column);
    assert.match(got.test_reason, /reference > 1000 rows -> /, want.column);
  }
  assert.match(mon.verdict, new RegExp(`^Drift detected in ${expected.number_of_drifted_columns} of ${expected.number_of_columns} columns`));
  console.log(`birdstrikes halves: ${mon.verdict}`);

  // Sort by statistic (descending on the second click).
  await click(page, 'drift-header:Statistic');
  let order = (await ui(page)).monitoring.order;
  const stat = (name) => expected.columns.find((c) => c.column === name).statistic;
  for (let i = 1; i < order.length; ++i) assert.ok(stat(order[i - 1]) <= stat(order[i]), `ascending at ${i}`);
  await click(page, 'drift-header:Statistic');
  order = (await ui(page)).monitoring.order;
  for (let i = 1; i < order.length; ++i) assert.ok(stat(order[i - 1]) >= stat(order[i]), `descending at ${i}`);

  // Back to ascending; the selected column's reference and current histograms are drawn (the
  // columns picked are the first rows of the table, in view).
  await click(page, 'drift-header:Statistic');
  order = (await ui(page)).monitoring.order.map((name) => expected.columns.find((c) => c.column === name));
  const numeric = order.find((c) => c.type === 'num');
  await click(page, `drift-column:${numeric.column}`);
  let hist = (await ui(page)).monitoring.histogram;
  assert.equal(hist.column, numeric.column);
  assert.equal(hist.kind, 'histogram');
  assert.deepEqual(hist.edges, numeric.histogram.edges);
  assert.deepEqual(hist.reference, numeric.histogram.reference_counts);
  assert.deepEqual(hist.current, numeric.histogram.current_counts);
  assert.ok((await ui(page)).widgets['drift-histogram']);
  await screenshot(page, 'monitoring-numeric.png');
  const cat = order.find((c) => c.type === 'cat');
  await click(page, `drift-column:${cat.column}`);
  hist = (await ui(page)).monitoring.histogram;
  assert.equal(hist.kind, 'grouped_bar');
  assert.equal(hist.reference.reduce((a, b) => a + b, 0), cat.n_reference);
  await screenshot(page, 'monitoring-categorical.png');

  // The report was stored, and the prediction log shows the actual recorded above.
  const stored = await api('listDriftReports', {});
  assert.equal(stored[0].report_id, (await ui(page)).monitoring.report_id);
  assert.ok((await ui(page)).widgets[`stored-report:${stored[0].report_id}`]);
  await click(page, 'log-model-combo');
  await click(page, `log-model:${MODEL}`);
  const series = (await ui(page)).monitoring.error_series;
  assert.equal(series.length, 1, 'one logged batch has an actual');
  assert.ok(series[0].value === 0 || series[0].value === 1);
  await screenshot(page, 'monitoring-log.png');
});
