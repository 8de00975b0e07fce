// The chart module, Run detail and Compare in a real browser: runs trained through
// window.mllab.runPipeline, then everything else by real clicks, keys and the mouse wheel.
// Chart contents are read from uiState (charts::describe) and checked against the run's
// artifacts as stored in IndexedDB, read directly (not through the app).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot } from './browser.mjs';

let server, url, profile, app;
const runs = {};

const base = (name) => ({
  schema: 'mllab.pipeline', schema_version: 1, run_name: name, experiment: 'charts',
  dataset: { path: 'assets/datasets/breast_cancer.csv', target: 'target' },
  split: { test_size: 0.25, random_state: 7, stratify: true },
});
const forest = (params) => ({ name: 'model', type: 'RandomForestClassifier', params: { random_state: 0, ...params } });
const SPECS = [
  { ...base('forest-cv'), steps: [forest({ n_estimators: 25, max_depth: 6 })], evaluate: { cv: 4, scoring: 'accuracy' } },
  { ...base('forest-grid'), steps: [forest({ n_estimators: 15 })],
    search: { type: 'grid', cv: 3, scoring: 'accuracy', param_grid: { model__max_depth: [2, 4, 8] } } },
  { ...base('logreg-cv'), steps: [{ name: 'scaler', type: 'StandardScaler' }, { name: 'model', type: 'LogisticRegression', params: { C: 0.5, max_iter: 300 } }],
    evaluate: { cv: 4, scoring: 'accuracy' } },
];

before(async () => {
  ({ server, url } = await startServer());
  profile = newProfileDir();
  app = await openApp(url, profile, { acceptDownloads: true });
  for (const spec of SPECS) {
    const t0 = Date.now();
    runs[spec.run_name] = await app.page.evaluate((s) => window.mllab.runPipeline(s), spec);
    console.log(`trained ${spec.run_name} in ${Date.now() - t0} ms`);
  }
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});

// An artifact's bytes as stored in IndexedDB (key artifacts/<run_id>/<path>), as text.
async function storedArtifact(page, runId, path) {
  return page.evaluate(({ key }) => new Promise((resolve, reject) => {
    const req = indexedDB.open('mllab', 1);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const get = req.result.transaction('records', 'readonly').objectStore('records').get(key);
      get.onsuccess = () => { resolve(get.result === undefined ? null : new TextDecoder().decode(get.result)); req.result.close(); };
      get.onerror = () => reject(get.error);
    };
  }), { key: `artifacts/${runId}/${path}` });
}

const detail = async (page) => (await ui(page)).runDetail;
const compare = async (page) => (await ui(page)).compare;
const getRun = (page, id) => page.evaluate((i) => window.mllab.getRun(i), id);

// Waits until uiState satisfies `pred` (frames keep coming; the machine may be slow).
async function until(page, pred, what) {
  for (let i = 0; i < 600; ++i) {
    const s = await ui(page);
    if (pred(s)) return s;
    await waitFrames(page, 1);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Presses a key (with modifiers, 'Control+A'), each edge seen by a frame: ImGui 1.86 polls key
// state once per frame, so a press and release between two frames is lost on a loaded machine.
async function press(page, combo) {
  const keys = combo.split('+');
  for (const k of keys) { await page.keyboard.down(k); await waitFrames(page, 1); }
  for (const k of keys.reverse()) { await page.keyboard.up(k); await waitFrames(page, 1); }
}

// The pixel of data point (x, y) in a chart described by charts::describe.
function pixel(chart, x, y) {
  const p = chart.plot;
  const [x0, x1] = chart.x_range, [y0, y1] = chart.y_range;
  return { x: p.x + ((x - x0) / (x1 - x0)) * p.w, y: p.y + p.h - ((y - y0) / (y1 - y0)) * p.h };
}

async function selectRun(page, name) {
  await click(page, 'tab:Runs');
  await click(page, `run:${name}`);
  await until(page, (s) => s.runDetail && s.runDetail.run_id === runs[name].run_id, `Run detail of ${name}`);
}

test('Run detail: the heatmap holds the confusion matrix, the metric chart the search scores', { timeout: 240000 }, async () => {
  const { page } = app;
  const run = runs['forest-grid'];
  await selectRun(page, 'forest-grid');
  const s = await until(page, (u) => u.runDetail.charts['rd-cm'] && u.runDetail.charts['rd-metric'], 'Summary charts');
  const stored = JSON.parse(await storedArtifact(page, run.run_id, 'confusion_matrix.json'));
  assert.deepEqual(s.runDetail.charts['rd-cm'].cells, stored.matrix, 'the heatmap cells are the stored confusion matrix');
  assert.deepEqual(s.runDetail.charts['rd-cm'].row_labels, stored.labels.map(String));
  const total = stored.matrix.flat().reduce((a, b) => a + b, 0);
  assert.equal(String(total), run.params.n_test, 'the matrix covers the test split');
  // Metric by step: one point per search candidate, the candidates' mean scores.
  assert.equal(s.runDetail.metric, 'search_mean_accuracy');
  const series = s.runDetail.charts['rd-metric'].series[0];
  const history = await page.evaluate((id) => window.mllab.api('getMetricHistory', { run_id: id, key: 'search_mean_accuracy' }), run.run_id);
  assert.equal(series.n, 3);
  assert.deepEqual(series.y, history.sort((a, b) => a.step - b.step).map((m) => m.value));
  const m = s.runDetail.metrics.search_mean_accuracy;
  assert.equal(m.min, Math.min(...series.y));
  assert.equal(m.max, Math.max(...series.y));
  await screenshot(page, 'charts-run-summary.png');
});

test('Run detail charts: ROC from the artifact, importances sorted, search results from the candidates', { timeout: 240000 }, async () => {
  const { page } = app;
  const run = runs['forest-grid'];
  await click(page, 'rd-tab:Charts');
  const s = await until(page, (u) => u.runDetail.charts['rd-roc'] && u.runDetail.charts['rd-imp'] && u.runDetail.charts['rd-search'], 'Charts tab');
  const roc = JSON.parse(await storedArtifact(page, run.run_id, 'roc_curve.json'));
  const drawn = s.runDetail.charts['rd-roc'].series[0];
  assert.deepEqual(drawn.x, roc.fpr.slice(0, 400));
  assert.deepEqual(drawn.y, roc.tpr.slice(0, 400));
  assert.equal(drawn.n, roc.fpr.length);
  // The area under the drawn curve (trapezoids) is the run's roc_auc metric.
  let auc = 0;
  for (let i = 1; i < roc.fpr.length; ++i) auc += (roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1]) / 2;
  assert.ok(Math.abs(auc - run.metrics.roc_auc) < 1e-9, `trapezoid AUC ${auc} = roc_auc ${run.metrics.roc_auc}`);
  // Importances: the top 15 of the artifact, largest first.
  const imp = JSON.parse(await storedArtifact(page, run.run_id, 'feature_importances.json'));
  const top = [...imp].sort((a, b) => b.importance - a.importance).slice(0, 15);
  assert.deepEqual(s.runDetail.charts['rd-imp'].labels, top.map((r) => r.feature));
  assert.deepEqual(s.runDetail.charts['rd-imp'].values, top.map((r) => r.importance));
  // Search results: max_depth against each candidate run's mean_test_score.
  const children = (await page.evaluate((id) => window.mllab.api('childRuns', { run_id: id }), run.run_id))
    .filter((c) => c.params.search_candidate !== undefined)
    .sort((a, b) => a.start_time - b.start_time || Number(a.params.search_candidate) - Number(b.params.search_candidate));
  assert.equal(children.length, 3);
  const sc = s.runDetail.charts['rd-search'];
  assert.deepEqual(s.runDetail.search_params, ['model__max_depth']);
  assert.deepEqual([...sc.series[0].x].sort((a, b) => a - b), [2, 4, 8]);
  const byDepth = (xs, ys) => Object.fromEntries(xs.map((x, i) => [x, ys[i]]));
  assert.deepEqual(byDepth(sc.series[0].x, sc.series[0].y),
    byDepth(children.map((c) => Number(c.params.model__max_depth)), children.map((c) => c.metrics.mean_test_score)));
});

test('charts answer the mouse: tooltip with exact values on hover, wheel zoom, drag pan', { timeout: 240000 }, async () => {
  const { page } = app;
  let roc = (await detail(page)).charts['rd-roc'];
  // Hover the ROC point at index k: the tooltip shows its exact coordinates.
  const k = Math.floor(roc.series[0].n / 2);
  const pt = pixel(roc, roc.series[0].x[k], roc.series[0].y[k]);
  await page.mouse.move(pt.x, pt.y);
  let s = await until(page, (u) => u.runDetail.charts['rd-roc'].tooltip !== '', 'the ROC tooltip');
  const tip = s.runDetail.charts['rd-roc'].tooltip;
  assert.match(tip, /false positive rate = /);
  assert.match(tip, /true positive rate = /);
  const fx = Number(/false positive rate = ([^\n]+)/.exec(tip)[1]);
  const ty = Number(/true positive rate = ([^\n]+)/.exec(tip)[1]);
  // The nearest point to the mouse: the hovered one or a neighbour on the curve.
  const idx = roc.series[0].x.findIndex((x, i) => Math.abs(x - fx) < 1e-6 && Math.abs(roc.series[0].y[i] - ty) < 1e-6);
  assert.ok(idx >= 0 && Math.abs(idx - k) <= 2, `tooltip (${fx}, ${ty}) is the point under the mouse`);
  await screenshot(page, 'charts-roc-tooltip.png');
  // Wheel up zooms in around the mouse.
  const before = roc.x_range;
  await page.mouse.wheel(0, -300);
  s = await until(page, (u) => u.runDetail.charts['rd-roc'].zoomed, 'the ROC chart to zoom');
  roc = s.runDetail.charts['rd-roc'];
  const span = (r) => r[1] - r[0];
  assert.ok(span(roc.x_range) < span(before) * 0.95, `zoomed x range ${roc.x_range} inside ${before}`);
  assert.ok(roc.x_range[0] <= roc.series[0].x[k] + 0.05 && roc.x_range[1] >= roc.series[0].x[k] - 0.05, 'the point under the mouse stays in view');
  // Drag pans: the range moves, its span stays.
  const zoomed = roc.x_range;
  await page.mouse.down();
  await waitFrames(page, 1);
  await page.mouse.move(pt.x - 60, pt.y, { steps: 4 });
  await waitFrames(page, 2);
  await page.mouse.up();
  s = await until(page, (u) => u.runDetail.charts['rd-roc'].x_range[0] > zoomed[0] + 1e-6, 'the ROC chart to pan');
  roc = s.runDetail.charts['rd-roc'];
  assert.ok(Math.abs(span(roc.x_range) - span(zoomed)) < 1e-9, 'panning keeps the zoom');
  console.log(`ROC x range: ${before.map((v) => v.toFixed(3))} -> zoom ${zoomed.map((v) => v.toFixed(3))} -> pan ${roc.x_range.map((v) => v.toFixed(3))}`);
  await screenshot(page, 'charts-roc-zoomed.png');
});

test('tags and the note are edited by keyboard and stored', { timeout: 240000 }, async () => {
  const { page } = app;
  const id = runs['forest-grid'].run_id;
  await click(page, 'rd-tab:Tags');
  await click(page, 'rd-tag-new-key');
  await page.keyboard.type('owner');
  await click(page, 'rd-tag-new-value');
  await page.keyboard.type('alice');
  await press(page, 'Enter');
  await page.waitForFunction((i) => window.mllab.getRun(i).tags.owner === 'alice', id);
  // Edit: select the value, type over it, Enter.
  await until(page, (u) => u.widgets['rd-tag-value:owner'], 'the owner tag row');
  await click(page, 'rd-tag-value:owner');
  await press(page, 'Control+A');
  await page.keyboard.type('bob');
  await press(page, 'Enter');
  await page.waitForFunction((i) => window.mllab.getRun(i).tags.owner === 'bob', id);
  // A system key is refused inline and nothing is stored.
  await click(page, 'rd-tag-new-key');
  await page.keyboard.type('mlflow.user');
  await click(page, 'rd-tag-add');
  assert.equal((await getRun(page, id)).tags['mlflow.user'], undefined);
  // The note.
  await click(page, 'rd-note');
  await page.keyboard.type('Depth 8 wins; try 12 next.');
  await click(page, 'rd-note-save');
  await page.waitForFunction((i) => window.mllab.getRun(i).tags['mlflow.note.content'] === 'Depth 8 wins; try 12 next.', id);
  await screenshot(page, 'charts-run-tags.png');
  await click(page, 'rd-tag-delete:owner');
  await page.waitForFunction((i) => window.mllab.getRun(i).tags.owner === undefined, id);
  await page.evaluate(() => window.mllab.flush());
});

test('artifacts: upload a file, view it, download one', { timeout: 240000 }, async () => {
  const { page } = app;
  const id = runs['forest-grid'].run_id;
  await click(page, 'rd-tab:Artifacts');
  await click(page, 'rd-upload');
  const text = 'observations\nfold 2 was noisy\n';
  await page.setInputFiles('#pick-input', { name: 'observations.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.waitForFunction((i) => window.mllab.getRun(i).artifacts.some((a) => a.path === 'uploads/observations.txt'), id);
  await page.evaluate(() => window.mllab.flush());
  assert.equal(await storedArtifact(page, id, 'uploads/observations.txt'), text, 'stored byte for byte');
  await until(page, (u) => u.widgets['artifact:uploads/observations.txt'], 'the uploaded artifact listed');
  await click(page, 'artifact:uploads/observations.txt');
  let s = await until(page, (u) => u.runDetail.artifact === 'uploads/observations.txt' && u.runDetail.artifact_view !== '', 'the viewer');
  assert.equal(s.runDetail.artifact_view, text);
  // JSON is shown pretty-printed.
  await click(page, 'artifact:confusion_matrix.json');
  s = await until(page, (u) => u.runDetail.artifact === 'confusion_matrix.json', 'the JSON viewer');
  const stored = await storedArtifact(page, id, 'confusion_matrix.json');
  assert.equal(s.runDetail.artifact_view, JSON.stringify(JSON.parse(stored), null, 2));
  await screenshot(page, 'charts-run-artifacts.png');
  const downloadP = page.waitForEvent('download', { timeout: 120000 });
  await click(page, 'artifact-download:confusion_matrix.json');
  const download = await downloadP;
  assert.equal(download.suggestedFilename(), 'confusion_matrix.json');
  assert.equal(fs.readFileSync(await download.path(), 'utf8'), stored, 'the download is the stored artifact');
});

test('Compare: empty state, then runs picked by clicks side by side with charts', { timeout: 240000 }, async () => {
  const { page } = app;
  await click(page, 'tab:Compare');
  let c = (await until(page, (u) => u.compare, 'the Compare view')).compare;
  assert.equal(c.runs.length, 0);
  await screenshot(page, 'charts-compare-empty.png');
  for (const name of ['forest-cv', 'logreg-cv', 'forest-grid']) await click(page, `cmp-pick:${name}`);
  c = (await until(page, (u) => u.compare.runs.length === 3, 'three runs compared')).compare;
  assert.deepEqual(c.runs, ['forest-cv', 'logreg-cv', 'forest-grid'].map((n) => runs[n].run_id));
  assert.equal(c.only_differences, true);
  assert.ok(c.rows.every((r) => r.differs), 'only differing rows are listed');
  const keys = c.rows.map((r) => `${r.kind}:${r.key}`);
  for (const k of ['param:steps', 'param:model__max_depth', 'metric:accuracy']) assert.ok(keys.includes(k), `${k} differs`);
  assert.ok(!keys.includes('param:dataset'), 'the shared dataset is hidden');
  const depth = c.rows.find((r) => r.key === 'model__max_depth');
  assert.deepEqual(depth.values, ['6', '', runs['forest-grid'].params.model__max_depth]);
  await click(page, 'cmp-only-diff');
  c = (await until(page, (u) => !u.compare.only_differences, 'all rows')).compare;
  assert.ok(c.rows.some((r) => r.key === 'dataset' && !r.differs));
  await click(page, 'cmp-only-diff');
  await screenshot(page, 'charts-compare-table.png');

  await click(page, 'cmp-tab:Curves');
  c = (await until(page, (u) => u.compare.charts['cmp-curves'], 'the curves')).compare;
  assert.equal(c.curve_metric, 'cv_accuracy');
  const curves = c.charts['cmp-curves'].series;
  assert.deepEqual(curves.map((x) => x.name), ['forest-cv', 'logreg-cv', 'forest-grid']);
  for (const name of ['forest-cv', 'logreg-cv']) {
    const h = await page.evaluate((id) => window.mllab.api('getMetricHistory', { run_id: id, key: 'cv_accuracy' }), runs[name].run_id);
    const series = curves.find((x) => x.name === name);
    assert.equal(series.n, 4);
    assert.deepEqual(series.y, h.sort((a, b) => a.step - b.step).map((m) => m.value));
  }
  await screenshot(page, 'charts-compare-curves.png');

  await click(page, 'cmp-tab:Scatter');
  c = (await until(page, (u) => u.compare.charts['cmp-scatter-0'], 'the scatters')).compare;
  const [p0, m0] = c.scatter[0];
  const sc = c.charts['cmp-scatter-0'].series[0];
  const order = ['forest-cv', 'logreg-cv', 'forest-grid'];
  assert.deepEqual(sc.y, order.map((n) => runs[n].metrics[m0]));
  assert.deepEqual(sc.x, order.map((n) => (runs[n].params[p0] === undefined ? null : Number(runs[n].params[p0]))));
  await screenshot(page, 'charts-compare-scatter.png');

  await click(page, 'cmp-tab:Parallel');
  c = (await until(page, (u) => u.compare.charts['cmp-parallel'], 'parallel coordinates')).compare;
  const pc = c.charts['cmp-parallel'];
  assert.deepEqual(pc.dims, [...c.numeric_params, c.parallel_metric]);
  assert.equal(c.parallel_metric, 'accuracy');
  assert.deepEqual(pc.values.map((row) => row[row.length - 1]), order.map((n) => runs[n].metrics.accuracy));
  assert.deepEqual(pc.items, order);
  await screenshot(page, 'charts-compare-parallel.png');
});

test('Run detail and Compare at device pixel ratio 2', { timeout: 240000 }, async () => {
  await app.context.close();
  app = await openApp(url, profile, { deviceScaleFactor: 2 });
  const { page } = app;
  assert.equal(await page.evaluate(() => window.devicePixelRatio), 2);
  await selectRun(page, 'forest-grid');
  await until(page, (u) => u.runDetail.charts['rd-cm'], 'the heatmap after reload');
  await screenshot(page, 'charts-run-summary-2x.png');
  await click(page, 'rd-tab:Charts');
  await until(page, (u) => u.runDetail.charts['rd-roc'], 'the ROC chart');
  const roc = (await detail(page)).charts['rd-roc'];
  const pt = pixel(roc, roc.series[0].x[2], roc.series[0].y[2]);
  await page.mouse.move(pt.x, pt.y);
  await until(page, (u) => u.runDetail.charts['rd-roc'].tooltip !== '', 'the tooltip at 2x');
  await screenshot(page, 'charts-run-charts-2x.png');
  await click(page, 'tab:Compare');
  for (const name of ['forest-cv', 'logreg-cv', 'forest-grid']) await click(page, `cmp-pick:${name}`);
  await until(page, (u) => u.compare.runs.length === 3, 'three runs compared');
  await click(page, 'cmp-tab:Parallel');
  await until(page, (u) => u.compare.charts['cmp-parallel'], 'parallel coordinates');
  await screenshot(page, 'charts-compare-parallel-2x.png');
  await click(page, 'cmp-tab:Curves');
  await until(page, (u) => u.compare.charts['cmp-curves'], 'curves');
  await screenshot(page, 'charts-compare-curves-2x.png');
});
