// The MLOps commands as a user runs them: the model registry (register, stages, aliases, URIs,
// predict with signature checks), run lifecycle, dataset versions and lineage, the feature store's
// point-in-time join, drift reports and the prediction log. Exit codes and one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MLLAB = path.join(ROOT, 'build/mllab');

function mllab(args) {
  const r = spawnSync(MLLAB, args, { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function ok(args) {
  const r = mllab(args);
  assert.equal(r.code, 0, `mllab ${args.join(' ')}: ${r.err}`);
  return r;
}
function json(args) { return JSON.parse(ok([...args, '--json']).out); }
// A command that must fail with exit code 1 and one line on stderr matching `pattern`.
function refused(args, pattern) {
  const r = mllab(args);
  assert.equal(r.code, 1, `mllab ${args.join(' ')} should fail: ${r.out}`);
  assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  assert.match(r.err, pattern);
}
function tempDir(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }
function write(dir, name, text) { const p = path.join(dir, name); fs.writeFileSync(p, text); return p; }
// The first rows of iris.csv (header + n rows).
function irisHead(n) { return fs.readFileSync(path.join(ROOT, 'assets/datasets/iris.csv'), 'utf8').split('\n').slice(0, n + 1).join('\n') + '\n'; }

test('registry: versions, stages with archive-existing, aliases and every URI form predict the same', () => {
  const store = tempDir('mllab-reg-');
  const s = ['--store', store];
  const r1 = json(['run', 'examples/iris-logreg.json', ...s]);
  const r2 = json(['run', 'examples/iris-logreg.json', ...s]);
  const v1 = json(['models', 'register', `runs:/${r1.run_id}/model`, 'iris', ...s]);
  assert.equal(v1.version, '1');
  assert.equal(v1.current_stage, 'None');
  assert.equal(v1.source, `runs:/${r1.run_id}/model`);
  assert.equal(json(['models', 'register', `runs:/${r2.run_id}/model`, 'iris', ...s]).version, '2');

  ok(['models', 'transition', 'iris', '1', 'Production', ...s]);
  assert.equal(json(['models', 'transition', 'iris', '2', 'production', '--archive-existing', ...s]).current_stage, 'Production');
  const shown = json(['models', 'show', 'iris', ...s]);
  assert.deepEqual(shown.versions.map((v) => v.current_stage), ['Archived', 'Production']);
  assert.deepEqual(shown.versions[1].model_doc.signature.inputs.map((c) => c.name),
    ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
  ok(['models', 'alias', 'iris', 'champion', '1', ...s]);

  const data = write(store, 'x.csv', irisHead(5));
  const byRun = json(['models', 'predict', `runs:/${r1.run_id}/model`, data, '--proba', ...s]);
  assert.equal(byRun.predictions.length, 5);
  // Labels typed as the training target (iris' target is numeric); probabilities keyed by class.
  assert.deepEqual(byRun.classes, [0, 1, 2]);
  for (const p of byRun.predictions) assert.equal(typeof p, 'number');
  for (const row of byRun.probabilities) {
    assert.deepEqual(Object.keys(row), ['0', '1', '2']);
    assert.ok(Math.abs(Object.values(row).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  }
  for (const uri of ['models:/iris/1', 'models:/iris@champion', 'models:/iris/Production', 'models:/iris/latest']) {
    assert.deepEqual(json(['models', 'predict', uri, data, ...s]).predictions, byRun.predictions, uri);
  }
  const list = json(['models', 'list', ...s]);
  assert.equal(list.length, 1);
  assert.deepEqual(list[0].aliases, [{ alias: 'champion', version: '1' }]);

  // Errors: one clear line, non-zero exit.
  refused(['models', 'predict', 'models:/iris/9', data, ...s], /no version 9/);
  refused(['models', 'predict', 'models:/nope/1', data, ...s], /nope/);
  refused(['models', 'predict', 'models:/iris@', data, ...s], /models:\/iris@/);
  refused(['models', 'predict', 'model:/iris/1', data, ...s], /model:\/iris\/1/);
  refused(['models', 'transition', 'iris', '1', 'Prod', ...s], /invalid stage 'Prod'/);
  refused(['models', 'transition', 'iris', '1', 'Archived', '--archive-existing', ...s], /archive/i);
  refused(['models', 'register', 'runs:/0000/model', 'iris', ...s], /0000/);
  const bad = write(store, 'bad.csv', 'sepal length (cm),sepal width (cm),petal length (cm)\n5.1,abc,1.4\n');
  refused(['models', 'predict', 'models:/iris/1', bad, ...s], /petal width \(cm\).*|sepal width/);
});

test('models predict --log feeds the prediction log; actuals join later with their error', () => {
  const store = tempDir('mllab-log-');
  const s = ['--store', store];
  const run = json(['run', 'examples/iris-logreg.json', ...s]);
  ok(['models', 'register', `runs:/${run.run_id}/model`, 'iris', ...s]);
  const data = write(store, 'x.csv', irisHead(3));
  // The ids of the logged predictions are printed with them (CSV), and returned (--json).
  const csv = ok(['models', 'predict', 'models:/iris/1', data, '--log', ...s]).out.trim().split('\n');
  assert.equal(csv[0], 'prediction_id,prediction');
  assert.equal(csv.length, 4);
  const printed = csv.slice(1).map((l) => l.split(',')[0]);
  const logged = json(['models', 'predict', 'models:/iris/1', data, '--log', ...s]);
  assert.equal(logged.prediction_ids.length, 3);
  assert.equal(logged.predictions.length, 3);
  const log = json(['monitor', 'log', 'iris', ...s]);
  assert.equal(log.length, 6);
  assert.deepEqual(log.map((e) => e.prediction_id).sort(), [...printed, ...logged.prediction_ids].sort());
  assert.equal(log[0].model_version, 1);
  assert.match(log[0].input_digest, /^[0-9a-f]{64}$/);
  // A unique prefix of the id; "2.0" is the class 2, stored as the number; 7 is no class.
  assert.deepEqual(json(['monitor', 'actual', log[0].prediction_id.slice(0, 10), '2.0', ...s]),
    { prediction_id: log[0].prediction_id, actual: 2 });
  refused(['monitor', 'actual', log[1].prediction_id, '7', ...s], /'7' is not one of the model's classes \(0, 1, 2\)/);
  const after = json(['monitor', 'log', 'iris', ...s]);
  const entry = after.find((e) => e.prediction_id === log[0].prediction_id);
  assert.equal(entry.actual, 2);
  assert.equal(entry.error, String(entry.prediction) === '2' ? 0 : 1);
  refused(['monitor', 'actual', 'nope', '1', ...s], /nope/);
});

test('runs can be deleted, restored, renamed and noted; deleted runs leave searches', () => {
  const store = tempDir('mllab-life-');
  const s = ['--store', store];
  const run = json(['run', 'examples/iris-logreg.json', ...s]);
  ok(['runs', 'delete', run.run_id, ...s]);
  assert.equal(json(['runs', 'list', ...s]).length, 0);
  ok(['runs', 'restore', run.run_id, ...s]);
  ok(['runs', 'rename', run.run_id, 'renamed', ...s]);
  ok(['runs', 'note', run.run_id, 'the baseline', ...s]);
  const found = json(['runs', 'search', "attributes.run_name = 'renamed'", ...s]);
  assert.equal(found.length, 1);
  assert.equal(found[0].tags['mlflow.note.content'], 'the baseline');
  refused(['experiments', 'delete', '0', ...s], /Default/);
});

test('a grid search logs its candidates as nested runs under the parent', () => {
  const store = tempDir('mllab-nest-');
  const s = ['--store', store];
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/breast-cancer-grid-search.json'), 'utf8'));
  spec.search.param_grid = { 'model__n_estimators': [5, 10], 'model__max_depth': [2] };
  spec.search.cv = 2;
  const specPath = write(store, 'grid.json', JSON.stringify(spec));
  const parent = json(['run', specPath, ...s]);
  const children = json(['runs', 'search', `tags.mlflow.parentRunId = '${parent.run_id}'`, ...s]);
  assert.equal(children.length, 2);
  assert.ok(children.some((c) => c.run_id === parent.tags['mllab.best_child_run_id']));
  for (const c of children) assert.equal(typeof c.metrics.mean_test_score, 'number');
});

test('datasets: versions by content, derived versions with lineage, and the runs that used a version', () => {
  const store = tempDir('mllab-ds-');
  const s = ['--store', store];
  const csv = write(store, 'birds.csv', 'damage,speed\nNone,120\nMinor,140\nNone,\nSubstantial,150\n' +
    'None,110\nNone,100\nMinor,160\nNone,90\nSubstantial,170\nNone,95\nMinor,155\nNone,105\n');
  // add / derive answer the dataset version entry (core/datasets/dataset_json.hpp), as addDataset does.
  assert.equal(json(['datasets', 'add', csv, '--name', 'birds', ...s]).version.version, 1);
  assert.equal(json(['datasets', 'add', csv, '--name', 'birds', ...s]).version.version, 1, 'same bytes: same version');
  const derived = json(['datasets', 'derive', 'birds_damage', '--from', 'birds:1', '--steps',
    '[{"op":"flag","column":"damage","operator":"!=","value":"None","as":"damaged"},{"op":"drop_missing"}]', ...s]);
  assert.equal(derived.version.num_rows, 11);
  assert.equal(derived.uri, 'datasets:/birds_damage:1');
  assert.equal(derived.version.lineage.parent.name, 'birds');
  const shown = json(['datasets', 'show', 'birds_damage', ...s]);
  assert.equal(shown.version.lineage.parent.name, 'birds');
  assert.equal(shown.version.lineage.steps.length, 2);
  const damaged = shown.version.profile.columns.find((c) => c.name === 'damaged');
  assert.equal(damaged.mean, 5 / 11);  // 5 of the 11 rows with a speed are damaged
  refused(['datasets', 'derive', 'x', '--from', 'birds', '--steps', '[{"op":"drop_columns","columns":["nope"]}]', ...s],
    /step 1 \(drop_columns\): no column 'nope'/);
  refused(['datasets', 'show', 'birds:7', ...s], /no version 7/);

  // A run on the stored dataset is found from the dataset version.
  const spec = { schema: 'mllab.pipeline', schema_version: 1, experiment: 'birds',
    dataset: { path: 'datasets:/birds_damage:1', target: 'damaged', features: ['speed'] },
    split: { test_size: 0.25, random_state: 0, stratify: true },
    steps: [{ name: 'model', type: 'DecisionTreeClassifier' }] };
  const run = json(['run', write(store, 'spec.json', JSON.stringify(spec)), ...s]);
  assert.deepEqual(json(['datasets', 'show', 'birds_damage:1', ...s]).runs.map((r) => r.run_id), [run.run_id]);
});

test('features: point-in-time join with TTL, leakage filter, online values and clear errors', () => {
  const store = tempDir('mllab-fs-');
  const s = ['--store', store];
  const feats = write(store, 'feats.csv',
    'user_id,event_timestamp,created,total_purchases\n' +
    '1,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,10\n' +
    '1,2024-01-05T00:00:00Z,2024-01-20T00:00:00Z,12\n' +
    '2,2024-01-02T00:00:00Z,2024-01-02T00:00:00Z,5\n');
  const g = json(['features', 'register', 'user_stats', feats, '--entity', 'user_id', '--created', 'created', '--ttl', '7d', ...s]);
  assert.equal(g.name, 'user_stats');
  const entities = write(store, 'entities.csv',
    'user_id,event_timestamp\n1,2024-01-06T00:00:00Z\n2,2024-01-20T00:00:00Z\n1,2023-12-31T00:00:00Z\n3,2024-01-06T00:00:00Z\n');
  const rows = json(['features', 'join', entities, 'user_stats:total_purchases', ...s]);
  // user 1 on Jan 6 -> the Jan 5 row; user 2 on Jan 20 -> outside the 7d TTL; before any row; unknown user.
  assert.deepEqual(rows.map((r) => r.total_purchases), [12, null, null, null]);
  const noLeak = json(['features', 'join', entities, 'user_stats:total_purchases', '--no-future-rows', ...s]);
  assert.equal(noLeak[0].total_purchases, 10, 'the Jan 5 row was created on Jan 20, after the entity time');
  const keys = write(store, 'keys.csv', 'user_id\n1\n3\n');
  const online = json(['features', 'online', 'user_stats:total_purchases', '--entities', keys, ...s]);
  assert.equal(online[0].total_purchases, null, 'older than now - ttl');
  assert.equal(json(['features', 'get', 'user_stats', ...s]).length, 3);
  refused(['features', 'join', entities, 'user_stats:nope', ...s], /nope/);
  refused(['features', 'register', 'x', feats, '--entity', 'user', ...s], /user/);
  refused(['features', 'register', 'x', feats, '--entity', 'user_id', '--ttl', '7 weeks', ...s], /7 weeks/);
});

test('monitor drift: the JSON shape of the issue, Evidently defaults, and --model uses the training data', () => {
  const store = tempDir('mllab-drift-');
  const s = ['--store', store];
  const iris = fs.readFileSync(path.join(ROOT, 'assets/datasets/iris.csv'), 'utf8').trim().split('\n');
  const shifted = [iris[0], ...iris.slice(1, 61).map((l) => { const f = l.split(','); f[0] = String(Number(f[0]) + 1); return f.join(','); })];
  const cur = write(store, 'cur.csv', shifted.join('\n') + '\n');
  const rep = json(['monitor', 'drift', 'assets/datasets/iris.csv', cur, ...s]);
  assert.equal(typeof rep.dataset_drift, 'boolean');
  assert.equal(typeof rep.drift_share, 'number');
  for (const c of rep.columns) {
    for (const k of ['column', 'type', 'test', 'statistic', 'p_value', 'threshold', 'drifted']) assert.ok(k in c, `missing ${k}`);
  }
  const sepal = rep.columns.find((c) => c.column === 'sepal length (cm)');
  assert.equal(sepal.test, 'ks', '150 reference rows: Kolmogorov-Smirnov');
  assert.equal(sepal.threshold, 0.05);
  assert.equal(sepal.drifted, true);
  const psi = json(['monitor', 'drift', 'assets/datasets/iris.csv', cur, '--test', 'sepal width (cm)=psi', ...s]);
  const width = psi.columns.find((c) => c.column === 'sepal width (cm)');
  assert.equal(width.test, 'psi');
  assert.equal(width.p_value, null);

  const run = json(['run', 'examples/iris-logreg.json', ...s]);
  ok(['models', 'register', `runs:/${run.run_id}/model`, 'iris', ...s]);
  const byModel = json(['monitor', 'drift', cur, '--model', 'models:/iris/1', ...s]);
  assert.ok(byModel.columns.some((c) => c.column === 'prediction'), 'drift of the predictions');
  assert.ok(byModel.columns.some((c) => c.column === 'target'), 'drift of the target when labels exist');
  const reports = json(['monitor', 'reports', '--model', 'iris', ...s]);
  assert.equal(reports.length, 1);
  assert.equal(reports[0].model_version, 1);
  refused(['monitor', 'drift', cur, ...s], /REFERENCE/);
  refused(['monitor', 'drift', 'assets/datasets/iris.csv', cur, '--test', 'sepal width (cm)=tt', ...s], /tt/);
  refused(['monitor', 'drift', 'assets/datasets/iris.csv', 'assets/datasets/wine.csv', '--column', 'nope', ...s], /nope/);
});
