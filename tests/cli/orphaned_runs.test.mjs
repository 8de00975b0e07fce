// Runs never stay RUNNING after their process is gone: `kill -9` a `mllab run` mid-fit, and the
// next command that opens the store for writing marks its run KILLED (saying why), while the run
// of a process still alive is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
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
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The stored run records (read from the store folder, without opening it through the CLI).
function storedRuns(store) {
  const dir = path.join(store, 'runs');
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const f of fs.readdirSync(dir)) {
    try { out.push(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))); } catch { /* being written */ }
  }
  return out;
}

// Starts `mllab run` on a slow spec and resolves once its run is stored RUNNING.
async function startSlowRun(store, specPath, name) {
  const child = spawn(MLLAB, ['run', specPath, '--store', store], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 600; ++i) {
    const run = storedRuns(store).find((r) => r.info.run_name === name);
    if (run) {
      assert.equal(run.info.status, 'RUNNING');
      return { child, exited, runId: run.info.run_id };
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`run ${name} never appeared`);
}

test('kill -9 during a fit: the next write marks the run KILLED; a live process keeps its run', async () => {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-orphan-'));
  // A forest that takes seconds on birdstrikes (~5 s of CPU), with shallow trees so a memory
  // budget does not refuse it.
  const spec = (name) => ({
    schema: 'mllab.pipeline', schema_version: 1, experiment: 'slow', run_name: name,
    dataset: { path: 'assets/datasets/birdstrikes.csv', target: 'Effect Amount of damage' },
    split: { test_size: 0.2, random_state: 42, stratify: false },
    steps: [
      { name: 'cats', type: 'OneHotEncoder', columns: ['Wildlife Size', 'Phase of flight', 'Time of day', 'Aircraft Make Model'],
        params: { handle_unknown: 'ignore' } },
      { name: 'speed', type: 'SimpleImputer', columns: ['Speed IAS in knots'], params: { strategy: 'median' } },
      { name: 'model', type: 'RandomForestClassifier', params: { n_estimators: 6000, max_depth: 8, random_state: 0 } },
    ],
  });
  const specFile = (name) => {
    const p = path.join(store, `${name}.json`);
    fs.writeFileSync(p, JSON.stringify(spec(name)));
    return p;
  };
  const victim = await startSlowRun(store, specFile('victim'), 'victim');
  const survivor = await startSlowRun(store, specFile('survivor'), 'survivor');
  try {
    victim.child.kill('SIGKILL');
    const code = await victim.exited;
    assert.equal(code, null, 'killed by the signal, not finished');
    assert.equal(storedRuns(store).find((r) => r.info.run_id === victim.runId).info.status, 'RUNNING',
      'left RUNNING by the killed process');

    // The next command that writes (a quick run) opens the store and reaps.
    const quick = mllab(['run', 'examples/iris-logreg.json', '--store', store]);
    assert.equal(quick.code, 0, quick.err);
    assert.match(quick.err, new RegExp(`run ${victim.runId} was RUNNING but process ${victim.child.pid} on host .+ has exited; marked KILLED`));

    const show = mllab(['runs', 'show', victim.runId, '--store', store, '--json']);
    assert.equal(show.code, 0, show.err);
    const killed = JSON.parse(show.out);
    assert.equal(killed.status, 'KILLED');
    assert.ok(killed.end_time >= killed.start_time);
    assert.match(killed.tags['mllab.killed_reason'], new RegExp(`process ${victim.child.pid} on host .+ has exited`));
    assert.equal(killed.tags['mllab.owner.pid'], String(victim.child.pid));
    assert.ok(killed.tags['mllab.owner.start'] && killed.tags['mllab.owner.host']);

    const alive = storedRuns(store).find((r) => r.info.run_id === survivor.runId);
    assert.equal(alive.info.status, 'RUNNING', 'the run of a live process is not touched');
    assert.equal(alive.tags['mllab.killed_reason'], undefined);
  } finally {
    survivor.child.kill('SIGKILL');
    await survivor.exited;
  }
  // Once that one is gone too, it is reaped as well; a second pass finds nothing.
  const again = mllab(['run', 'examples/iris-logreg.json', '--store', store]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, new RegExp(`run ${survivor.runId} was RUNNING`));
  assert.doesNotMatch(again.err, new RegExp(victim.runId));
  assert.deepEqual(storedRuns(store).filter((r) => r.info.status === 'RUNNING'), []);
});
