// The mllab command line, run as a user would: exit codes, one-line errors, the store folder,
// and the MLflow-shaped JSON of `runs list/show --json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MLLAB = path.join(ROOT, 'build/mllab');

function mllab(args, opts = {}) {
  const r = spawnSync(MLLAB, args, { cwd: opts.cwd || ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function tempDir(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

test('run the example spec, then list and show it as MLflow-shaped JSON', () => {
  const store = tempDir('mllab-cli-');
  const run = mllab(['run', 'examples/breast-cancer-logreg.json', '--store', store]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /FINISHED/);
  assert.match(run.out, /malignant\s+\d\.\d\d/);  // the classification report

  const list = mllab(['runs', 'list', '--store', store, '--json']);
  assert.equal(list.code, 0, list.err);
  const runs = JSON.parse(list.out);
  assert.equal(runs.length, 1);
  const r = runs[0];
  for (const k of ['run_id', 'experiment_id', 'run_name', 'status', 'start_time', 'end_time', 'params', 'metrics', 'tags']) {
    assert.ok(k in r, `missing ${k}`);
  }
  assert.equal(r.status, 'FINISHED');
  assert.equal(r.run_name, 'logreg-baseline');
  assert.equal(typeof r.metrics.accuracy, 'number');
  assert.ok(r.metrics.accuracy > 0.9 && r.metrics.accuracy <= 1);
  assert.equal(r.params.model__C, '1.0');
  assert.equal(r.params.random_state, '42');
  assert.ok(r.end_time >= r.start_time && r.start_time > 1.6e12, 'times are ms since the epoch');

  const show = mllab(['runs', 'show', r.run_id, '--store', store, '--json']);
  assert.equal(show.code, 0, show.err);
  const s = JSON.parse(show.out);
  assert.equal(s.run_id, r.run_id);
  assert.deepEqual(s.artifacts.map((a) => a.path).sort(),
    ['classification_report.txt', 'confusion_matrix.json', 'model/MLmodel', 'model/input_example.json',
      'model/pipeline.json', 'predictions.json', 'roc_curve.json', 'split.json']);
  const digest = s.inputs[0].dataset.digest;
  assert.match(digest, /^[0-9a-f]{64}$/);

  const text = mllab(['runs', 'show', r.run_id.slice(0, 8), '--store', store]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /Classification report/);

  // The experiment filter.
  assert.equal(JSON.parse(mllab(['runs', 'list', '--experiment', 'breast-cancer', '--store', store, '--json']).out).length, 1);
  const none = mllab(['runs', 'list', '--experiment', 'nope', '--store', store]);
  assert.equal(none.code, 1);
  assert.match(none.err, /no experiment named 'nope'/);
});

test('runs search takes MLflow filters and order_by, with the same JSON as runs list', () => {
  const store = tempDir('mllab-cli-');
  for (const f of ['breast-cancer-logreg.json', 'iris-logreg.json', 'wine-logreg.json']) {
    assert.equal(mllab(['run', `examples/${f}`, '--store', store]).code, 0);
  }
  const r = mllab(['runs', 'search', "metrics.accuracy > 0.965 and attributes.status = 'FINISHED'",
    '--order-by', 'metrics.accuracy DESC', '--store', store, '--json']);
  assert.equal(r.code, 0, r.err);
  const runs = JSON.parse(r.out);
  // The same selection and order computed here from the full list.
  const all = JSON.parse(mllab(['runs', 'list', '--store', store, '--json']).out);
  const expected = all.filter((x) => x.metrics.accuracy > 0.965 && x.status === 'FINISHED')
    .sort((a, b) => b.metrics.accuracy - a.metrics.accuracy).map((x) => x.run_name);
  assert.ok(expected.length >= 1 && expected.length < all.length, `the filter keeps some runs, not all: ${expected}`);
  assert.deepEqual(runs.map((x) => x.run_name), expected);
  assert.deepEqual(Object.keys(runs[0]).sort(), Object.keys(JSON.parse(mllab(['runs', 'list', '--store', store, '--json']).out)[0]).sort());
  const like = JSON.parse(mllab(['runs', 'search', "attributes.run_name ILIKE '%LOGREG%'", '--store', store, '--json']).out);
  assert.deepEqual(like.map((x) => x.run_name), ['logreg-baseline']);
  const bad = mllab(['runs', 'search', 'metrics.accuracy > 0.9 or params.x = 1', '--store', store]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /position 24 \('or'\): OR is not supported/);
});

test('the default store is ./mllab-store in the working folder', () => {
  const cwd = tempDir('mllab-cwd-');
  const r = mllab(['run', path.join(ROOT, 'examples/iris-logreg.json')], { cwd });
  assert.equal(r.code, 0, r.err);
  assert.ok(fs.existsSync(path.join(cwd, 'mllab-store/runs')));
  assert.equal(JSON.parse(mllab(['runs', 'list', '--json'], { cwd }).out).length, 1);
});

test('every command has --help and exits 0 for it', () => {
  for (const cmd of [[], ['run'], ['runs'], ['runs', 'list'], ['runs', 'search'], ['runs', 'show'], ['experiments', 'list'],
    ['datasets', 'list'], ['datasets', 'add'], ['datasets', 'show'], ['datasets', 'derive'],
    ['runs', 'delete'], ['runs', 'restore'], ['runs', 'rename'], ['runs', 'tag'], ['runs', 'note'],
    ['experiments', 'delete'], ['experiments', 'restore'], ['experiments', 'rename'],
    ['models'], ['models', 'register'], ['models', 'list'], ['models', 'show'], ['models', 'transition'],
    ['models', 'alias'], ['models', 'predict'], ['models', 'serve'],
    ['features'], ['features', 'register'], ['features', 'list'], ['features', 'get'], ['features', 'join'],
    ['features', 'online'], ['monitor'], ['monitor', 'drift'], ['monitor', 'reports'], ['monitor', 'log'],
    ['monitor', 'actual']]) {
    const r = mllab([...cmd, '--help']);
    assert.equal(r.code, 0, `${cmd.join(' ')} --help: ${r.err}`);
    assert.match(r.out, /Usage|Options/i);
  }
});

test('an unknown parameter in a spec is rejected naming it, and nothing is logged', () => {
  const store = tempDir('mllab-cli-');
  const dir = tempDir('mllab-spec-');
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/breast-cancer-logreg.json'), 'utf8'));
  spec.steps[1].params.n_estimatorz = 10;
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const r = mllab(['run', file, '--store', store]);
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown parameter 'n_estimatorz'/);
  assert.equal(r.err.trim().split('\n').length, 1, 'one line on stderr');
  assert.deepEqual(JSON.parse(mllab(['runs', 'list', '--store', store, '--json']).out), []);
});

test('a failing run is recorded FAILED with its error message', () => {
  const store = tempDir('mllab-cli-');
  const dir = tempDir('mllab-spec-');
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/breast-cancer-logreg.json'), 'utf8'));
  spec.dataset.target = 'diagnosis';
  const file = path.join(dir, 'bad-target.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const r = mllab(['run', file, '--store', store]);
  assert.equal(r.code, 1);
  assert.match(r.err, /target column 'diagnosis' is not in the dataset/);
  const runs = JSON.parse(mllab(['runs', 'list', '--store', store, '--json']).out);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'FAILED');
  assert.match(runs[0].tags['mllab.error'], /diagnosis/);
  assert.deepEqual(runs[0].metrics, {});
});

test('a malformed CSV is refused naming line and column, and the store is unchanged', () => {
  const store = tempDir('mllab-cli-');
  const dir = tempDir('mllab-csv-');
  const good = path.join(dir, 'good.csv');
  fs.writeFileSync(good, 'a,b\n1,2\n3,4\n');
  assert.equal(mllab(['datasets', 'add', good, '--name', 'good', '--store', store]).code, 0);
  const snapshot = () => fs.readdirSync(store, { recursive: true }).sort().join('\n');
  const before = snapshot();
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, 'a,b\n1,2\n3,4,5\n');
  const r = mllab(['datasets', 'add', bad, '--store', store]);
  assert.equal(r.code, 1);
  assert.match(r.err, /line 3, column 3/);
  assert.equal(snapshot(), before);
  // The same bytes again: no new version.
  const again = mllab(['datasets', 'add', good, '--name', 'good', '--store', store, '--json']);
  assert.equal(JSON.parse(again.out).version.version, 1);
});

test('a missing spec file and a bad store path fail with one clear line', () => {
  const r = mllab(['run', 'nope.json']);
  assert.equal(r.code, 1);
  assert.match(r.err, /file not found: nope.json/);
  const file = path.join(tempDir('mllab-f-'), 'plainfile');
  fs.writeFileSync(file, 'x');
  const s = mllab(['runs', 'list', '--store', file]);
  assert.notEqual(s.code, 0);
  assert.match(s.err, /store/);
});

test('a fit over the memory budget is refused naming estimate and budget; runs show prints a model\'s size', () => {
  const store = tempDir('mllab-cli-');
  const spec = 'examples/sentiment-n-estimators-50.json';
  const refused = mllab(['run', spec, '--store', store, '--memory-budget', '1']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /RandomForestClassifier\(n_estimators=50, max_depth=10\) on 2,400 rows x 1,000 sparse features needs about [\d.]+ MB/);
  assert.match(refused.err, /the memory budget is 1\.0 MB: set max_depth or min_samples_leaf, or fewer n_estimators/);
  const failed = JSON.parse(mllab(['runs', 'list', '--store', store, '--json']).out);
  assert.equal(failed[0].status, 'FAILED');
  assert.equal(failed[0].tags['mllab.memory_budget_mb'], '1');

  const ok = mllab(['run', spec, '--store', store]);
  assert.equal(ok.code, 0, ok.err);
  const runs = JSON.parse(mllab(['runs', 'list', '--store', store, '--json']).out);
  const done = runs.find((r) => r.status === 'FINISHED');
  assert.equal(done.tags['mllab.model_trees'], '50');
  assert.equal(done.tags['mllab.memory_budget_mb'], '1024');
  const show = mllab(['runs', 'show', done.run_id, '--store', store]);
  assert.equal(show.code, 0, show.err);
  assert.match(show.out, /Model:\n  pipeline\.json [\d.]+ (KB|MB), 50 trees, [\d,]+ nodes; fit memory estimate [\d.]+ MB of a 1\.0 GB budget\n/);
  const size = JSON.parse(mllab(['runs', 'show', done.run_id, '--store', store, '--json']).out)
    .artifacts.find((a) => a.path === 'model/pipeline.json').file_size;
  assert.equal(done.tags['mllab.model_size_bytes'], String(size));

  const zero = mllab(['run', spec, '--store', store, '--memory-budget', '0']);
  assert.equal(zero.code, 1);  // a usage error: one line, exit 1
  assert.match(zero.err, /--memory-budget/);
});
