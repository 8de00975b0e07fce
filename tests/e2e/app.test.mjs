// MLLab in a real browser: train by clicking, persistence in IndexedDB across reload and
// browser restart, CSV upload through the file picker, bad input, the JS API, and storage
// failure rollback. Runs against build-web/dist in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, idbRecords } from './browser.mjs';

let server, url, profile, app;

before(async () => {
  ({ server, url } = await startServer());
  profile = newProfileDir();
  app = await openApp(url, profile);
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});

// Scrolls the Train workspace's pipeline form (the mouse wheel over it) by `dy` pixels.
async function scrollTrainForm(page, dy) {
  const w = (await ui(page)).widgets['train-form'];
  await page.mouse.move(w.x + w.w / 2, w.y + w.h / 2);
  await page.mouse.wheel(0, dy);
  await waitFrames(page, 4);
}

test('opens on the Data workspace listing the built-in datasets', async () => {
  const names = (await app.page.evaluate(() => window.mllab.listDatasets())).map((d) => d.name);
  assert.deepEqual(names, ['iris', 'wine', 'breast_cancer', 'sentiment', 'birdstrikes']);
  const widgets = (await ui(app.page)).widgets;
  for (const n of names) assert.ok(widgets[`dataset:${n}`], `dataset ${n} is listed on screen`);
  await screenshot(app.page, 'e2e-start.png');
});

test('train a model by clicking in the UI; the run appears in the Runs table', async () => {
  const { page } = app;
  await click(page, 'tab:Train');
  await click(page, 'dataset:breast_cancer');
  let state = await ui(page);
  assert.equal(state.dataset, 'assets/datasets/breast_cancer.csv');
  assert.equal(state.target, 'target');
  await click(page, 'run-name');
  await page.keyboard.type('clicked-run');
  await waitFrames(page);
  await click(page, 'train');
  await page.waitForFunction(() => window.mllab.listRuns().some((r) => r.run_name === 'clicked-run' && r.status !== 'RUNNING'));
  await page.evaluate(() => window.mllab.flush());
  const runs = await page.evaluate(() => window.mllab.listRuns());
  const run = runs.find((r) => r.run_name === 'clicked-run');
  assert.equal(run.status, 'FINISHED');
  assert.ok(run.metrics.accuracy > 0.9);
  assert.equal(run.params.dataset, 'assets/datasets/breast_cancer.csv');
  assert.equal(run.tags['mllab.source'], 'web');
  await waitFrames(page, 3);
  state = await ui(page);
  assert.equal(state.selected_run, run.run_id, 'the finished run is selected and shown');
  assert.ok(state.widgets['report'], 'the classification report is drawn beside the pipeline');
  await click(page, 'tab:Runs');
  state = await ui(page);
  assert.ok(state.widgets['run:clicked-run'], 'the run has a row in the Runs table');
  assert.ok(state.widgets['report'], 'the classification report is drawn in the Runs workspace');
  const detail = await page.evaluate((id) => window.mllab.getRun(id), run.run_id);
  assert.match(detail.classification_report, /malignant/);
  assert.equal(detail.confusion_matrix.matrix.length, 2);
  await screenshot(page, 'e2e-trained.png');
  await click(page, 'tab:Train');
});

test('text data in the UI: a random forest on the sentiment sentences gets a TF-IDF step', async () => {
  const { page } = app;
  await click(page, 'dataset:sentiment');
  assert.equal((await ui(page)).target, 'label');
  await click(page, 'estimator-combo');
  await click(page, 'estimator:RandomForestClassifier');
  await click(page, 'run-name');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('ui-sentiment-rf');
  await waitFrames(page);
  await click(page, 'train');
  await page.waitForFunction(() => window.mllab.listRuns().some((r) => r.run_name === 'ui-sentiment-rf' && r.status !== 'RUNNING'), null, { timeout: 180000 });
  const run = (await page.evaluate(() => window.mllab.listRuns())).find((r) => r.run_name === 'ui-sentiment-rf');
  assert.equal(run.status, 'FINISHED', JSON.stringify(run.tags));
  assert.match(run.params.steps, /tfidf_text:TfidfVectorizer/);
  assert.match(run.params.steps, /onehot:OneHotEncoder/);  // the categorical 'source' column
  assert.match(run.params.steps, /model:RandomForestClassifier$/);
  assert.equal(run.params.scaler__with_mean, 'False', 'sparse features are scaled without centering');
  assert.equal(run.params.model__n_estimators, '100');
  assert.ok(run.metrics.accuracy > 0.6, `accuracy ${run.metrics.accuracy}`);
  await screenshot(page, 'e2e-sentiment-rf.png');

  // The column steps have forms too: CountVectorizer instead of TfidfVectorizer for the text.
  await click(page, 'run-name');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('ui-sentiment-counts');
  await scrollTrainForm(page, 3000);
  await click(page, 'vectorizer-combo');
  await click(page, 'vectorizer:CountVectorizer');
  await screenshot(page, 'e2e-column-steps.png');
  await click(page, 'train');
  await page.waitForFunction(() => window.mllab.listRuns().some((r) => r.run_name === 'ui-sentiment-counts' && r.status !== 'RUNNING'), null, { timeout: 180000 });
  const counts = (await page.evaluate(() => window.mllab.listRuns())).find((r) => r.run_name === 'ui-sentiment-counts');
  assert.equal(counts.status, 'FINISHED', JSON.stringify(counts.tags));
  assert.match(counts.params.steps, /counts_text:CountVectorizer/);
  assert.equal(counts.params.counts_text__max_features, '1000');
  assert.equal(counts.params.onehot__handle_unknown, 'ignore');
  await click(page, 'vectorizer-combo');
  await click(page, 'vectorizer:TfidfVectorizer');
  await scrollTrainForm(page, -3000);
  // Back to logistic regression for the tests below.
  await click(page, 'estimator-combo');
  await click(page, 'estimator:LogisticRegression');
});

test('a grid search from the Train panel: one nested run per candidate, the best one named', async () => {
  const { page } = app;
  await click(page, 'dataset:breast_cancer');
  await click(page, 'run-name');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('ui-grid');
  await scrollTrainForm(page, 3000);
  await click(page, 'search-combo');
  await click(page, 'search:GridSearchCV');
  assert.ok((await ui(page)).widgets['search-space'], 'the param_grid editor is drawn');
  await scrollTrainForm(page, 3000);  // the form grew by the search fields
  await screenshot(page, 'e2e-search-form.png');
  await click(page, 'train');
  await page.waitForFunction(() => window.mllab.listRuns().some((r) => r.run_name === 'ui-grid' && r.status !== 'RUNNING'), null, { timeout: 180000 });
  const run = (await page.evaluate(() => window.mllab.listRuns())).find((r) => r.run_name === 'ui-grid');
  assert.equal(run.status, 'FINISHED', JSON.stringify(run.tags));
  assert.equal(run.params.search, 'grid');
  assert.equal(run.params.search_param_grid, '{"model__C": [0.1,1,10]}', 'the estimator\'s starting grid');
  assert.equal(run.params.search_candidates, '3');
  assert.ok(['0.1', '1.0', '10.0'].includes(run.params.best_model__C), run.params.best_model__C);
  const children = await page.evaluate((id) => window.mllab.api('childRuns', { run_id: id }), run.run_id);
  assert.equal(children.length, 3);
  assert.ok(children.some((c) => c.run_id === run.tags['mllab.best_child_run_id']));
  await click(page, 'search-combo');
  await click(page, 'search:None');
  await scrollTrainForm(page, -3000);
});

test('a CSV loaded through the file picker is stored and previewed', async () => {
  const { page } = app;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-up-'));
  const file = path.join(dir, 'tiny flowers.csv');
  fs.writeFileSync(file, 'x1,x2,label\r\n1,2,a\r\n2,1,b\r\n1.5,2.5,a\r\n3,0.5,b\r\n1,3,a\r\n2.5,0,b\r\n');
  const chooser = page.waitForEvent('filechooser');
  await click(page, 'load-csv');
  await (await chooser).setFiles(file);
  await page.waitForFunction(() => window.mllab.uiState().dataset === 'datasets:/tiny_flowers');
  await page.evaluate(() => window.mllab.flush());
  const ds = (await page.evaluate(() => window.mllab.listDatasets())).find((d) => d.name === 'tiny_flowers');
  assert.equal(ds.rows, 6);
  assert.equal(ds.source_type, 'upload');
  assert.ok((await idbRecords(page)).includes('datasets/tiny_flowers'));
  assert.equal((await ui(page)).target, 'label');
});

test('a malformed CSV shows an error naming line and column and stores nothing', async () => {
  const { page } = app;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-bad-'));
  const file = path.join(dir, 'broken.csv');
  fs.writeFileSync(file, 'a,b,c\n1,2,3\n4,5\n"7,8,9\n');
  await click(page, 'tab:Data');
  const before = await idbRecords(page);
  const chooser = page.waitForEvent('filechooser');
  await click(page, 'load-csv');
  await (await chooser).setFiles(file);
  // The error arrives between two frames; a later frame draws it.
  await page.waitForFunction(() => { const s = window.mllab.uiState(); return s.dataset_error !== '' && !!s.widgets['dataset-error']; });
  await page.evaluate(() => window.mllab.flush());
  const state = await ui(page);
  assert.match(state.dataset_error, /broken\.csv: line 3, column 2 \(b\): expected 3 fields, found 2/);
  assert.ok(state.widgets['dataset-error'], 'the error is drawn in the Datasets panel');
  assert.deepEqual(await idbRecords(page), before, 'IndexedDB is unchanged');
  assert.ok(!(await page.evaluate(() => window.mllab.listDatasets())).some((d) => d.name === 'broken'));
  await screenshot(page, 'e2e-csv-error.png');
});

test('every example spec runs unchanged through runPipeline and matches the native CLI', async () => {
  const { page } = app;
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-cli-'));
  for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => n.endsWith('.json'))) {
    const spec = fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8');
    const web = await page.evaluate((s) => window.mllab.runPipeline(s), spec);
    assert.equal(web.status, 'FINISHED', f);
    const cli = spawnSync(path.join(ROOT, 'build/mllab'), ['run', path.join('examples', f), '--store', store, '--json'],
      { cwd: ROOT, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const native = JSON.parse(cli.stdout);
    assert.deepEqual(Object.keys(web.metrics).sort(), Object.keys(native.metrics).sort(), f);
    for (const [k, v] of Object.entries(native.metrics)) {
      // Same split and the same solver natively and in wasm: equal to 1e-9 relative.
      assert.ok(Math.abs(web.metrics[k] - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${f} ${k}: web ${web.metrics[k]} native ${v}`);
    }
    assert.deepEqual(web.params, native.params, f);
  }
});

test('an unknown parameter is rejected naming it; a failed run is recorded FAILED', async () => {
  const { page } = app;
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-logreg.json'), 'utf8'));
  spec.steps[1].params = { C: 1.0, penalty_typo: 'l2' };
  const msg = await page.evaluate((s) => window.mllab.runPipeline(s).then(() => 'resolved', (e) => e.message), spec);
  assert.match(msg, /unknown parameter 'penalty_typo'/);

  spec.steps[1].params = { C: 1.0 };
  spec.dataset.target = 'species';
  spec.run_name = 'bad-target';
  const failed = await page.evaluate((s) => window.mllab.runPipeline(s).then(() => null, (e) => ({ m: e.message, run: e.run })), spec);
  assert.match(failed.m, /target column 'species' is not in the dataset/);
  assert.equal(failed.run.status, 'FAILED');
  assert.match(failed.run.tags['mllab.error'], /species/);
  assert.deepEqual(failed.run.metrics, {});
  assert.deepEqual(failed.run.artifacts, []);
});

test('the Runs table sorts by a metric when its header is clicked', async () => {
  const { page } = app;
  const runs = await page.evaluate(() => window.mllab.listRuns());
  // Runs without the metric (failed runs) sort last both ways, as MLflow puts nulls last.
  const acc = (id) => runs.find((r) => r.run_id === id).metrics.accuracy;
  const withMetric = (xs) => {
    const n = xs.findIndex((x) => x === undefined);
    if (n >= 0) assert.ok(xs.slice(n).every((x) => x === undefined), `missing values last: ${xs}`);
    return n < 0 ? xs : xs.slice(0, n);
  };
  const isSorted = (xs, dir) => xs.every((x, i) => i === 0 || (dir > 0 ? xs[i - 1] <= x : xs[i - 1] >= x));
  await click(page, 'tab:Runs');
  await click(page, 'runs-header:accuracy');
  const order = (await ui(page)).runs_order;
  assert.equal(order.length, runs.length);
  const desc = withMetric(order.map(acc));
  assert.ok(isSorted(desc, -1), `descending: ${desc}`);
  assert.ok(desc[0] > desc[desc.length - 1], 'the runs differ in accuracy');
  await click(page, 'runs-header:accuracy');
  assert.ok(isSorted(withMetric((await ui(page)).runs_order.map(acc)), +1), 'ascending on the second click');
  await screenshot(page, 'e2e-sorted.png');
});

test('an IndexedDB transaction that fails is rolled back and reported', async () => {
  const { page } = app;
  const before = await idbRecords(page);
  const datasetsBefore = await page.evaluate(() => window.mllab.listDatasets());
  await page.evaluate(() => window.mllab._failNextWrite());
  const rejected = await page.evaluate(() => window.mllab.loadCsv('doomed.csv', 'p,q\n1,2\n3,4\n')
    .then(() => '', (e) => e.message));
  assert.match(rejected, /Saving dataset 'doomed' failed and was rolled back: AbortError/, 'the JS API rejects');
  await waitFrames(page, 2);
  assert.deepEqual(await idbRecords(page), before);
  assert.deepEqual(await page.evaluate(() => window.mllab.listDatasets()), datasetsBefore, 'memory rolled back too');
  const state = await ui(page);
  assert.match(state.storage_error, /rolled back.*AbortError/);
  assert.notEqual(state.dataset, 'datasets:/doomed', 'the rolled-back dataset is no longer selected');
  await screenshot(page, 'e2e-storage-error.png');
});

test('runs and datasets survive a reload and a browser restart', async () => {
  const runsBefore = (await app.page.evaluate(() => window.mllab.listRuns())).map((r) => r.run_id).sort();
  assert.ok(runsBefore.length >= 5);
  await app.page.reload();
  await app.page.evaluate(() => window.mllab.ready());
  assert.deepEqual((await app.page.evaluate(() => window.mllab.listRuns())).map((r) => r.run_id).sort(), runsBefore);

  await app.context.close();
  app = await openApp(url, profile);
  const after = await app.page.evaluate(() => window.mllab.listRuns());
  assert.deepEqual(after.map((r) => r.run_id).sort(), runsBefore);
  assert.ok(after.some((r) => r.run_name === 'clicked-run' && r.status === 'FINISHED'));
  assert.ok((await app.page.evaluate(() => window.mllab.listDatasets())).some((d) => d.name === 'tiny_flowers'));
  await waitFrames(app.page, 3);
  await screenshot(app.page, 'e2e-after-restart.png');
  assert.deepEqual(app.errors, []);
});
