// Many mllab processes on one folder store at once: writers running specs (in two experiments,
// created concurrently) while readers list runs. Every run must end FINISHED with its metrics and
// artifacts, nothing lost, every process exiting 0, and the store left without journals or staging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MLLAB = path.join(ROOT, 'build/mllab');

function mllab(args) {
  return new Promise((resolve) => {
    const p = spawn(MLLAB, args, { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code, signal) => resolve({ code, signal, out, err, args }));
  });
}

test('N writer processes x M runs and a runs-list loop on one store: all FINISHED, 0 lost', async () => {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-concurrency-'));
  const N = 4;
  const M = 4;
  const specs = ['examples/iris-logreg.json', 'examples/wine-logreg.json'];
  const expectedExperiment = { 'examples/iris-logreg.json': 'iris', 'examples/wine-logreg.json': 'wine' };

  let writing = true;
  const reads = [];
  const readers = [0, 1].map(async () => {
    while (writing) reads.push(await mllab(['runs', 'list', '--store', store, '--json']));
  });
  const writers = [];
  for (let w = 0; w < N; w++) {
    writers.push((async () => {
      const results = [];
      for (let m = 0; m < M; m++) {
        const spec = specs[(w + m) % specs.length];
        results.push({ spec, ...(await mllab(['run', spec, '--store', store, '--json'])) });
      }
      return results;
    })());
  }
  const runs = (await Promise.all(writers)).flat();
  writing = false;
  await Promise.all(readers);

  for (const r of runs) assert.equal(r.code, 0, `${r.args.join(' ')} exited ${r.code} ${r.signal || ''}: ${r.err}`);
  assert.ok(reads.length > 0);
  for (const r of reads) {
    assert.equal(r.code, 0, `a reader failed: ${r.err}`);
    assert.equal(r.err, '', 'a reader printed a warning');
    for (const listed of JSON.parse(r.out)) assert.ok(listed.run_id && listed.status, 'a listed run is incomplete');
  }

  const listed = JSON.parse((await mllab(['runs', 'list', '--store', store, '--json'])).out);
  const byId = new Map(listed.map((r) => [r.run_id, r]));
  const experiments = JSON.parse((await mllab(['experiments', 'list', '--store', store, '--json'])).out);
  const experimentName = new Map(experiments.map((e) => [e.experiment_id, e.name]));
  let finished = 0;
  let lost = 0;
  for (const r of runs) {
    const printed = JSON.parse(r.out);
    assert.equal(printed.status, 'FINISHED');
    const stored = byId.get(printed.run_id);
    if (!stored) { lost++; continue; }
    assert.equal(stored.status, 'FINISHED', `run ${printed.run_id} printed FINISHED but is stored ${stored.status}`);
    assert.equal(typeof stored.metrics.accuracy, 'number', `run ${printed.run_id} lost its metrics`);
    assert.equal(experimentName.get(stored.experiment_id), expectedExperiment[r.spec],
      `run ${printed.run_id} of ${r.spec} is filed under experiment ${stored.experiment_id}`);
    const show = await mllab(['runs', 'show', printed.run_id, '--store', store, '--json']);
    assert.equal(show.code, 0, show.err);
    const paths = JSON.parse(show.out).artifacts.map((a) => a.path);
    for (const p of ['model/pipeline.json', 'model/MLmodel', 'predictions.json']) {
      assert.ok(paths.includes(p), `run ${printed.run_id} lost its artifact ${p}`);
    }
    finished++;
  }
  console.log(`${N} writers x ${M} runs: ${finished} finished, ${lost} lost (${reads.length} concurrent runs list calls, 0 failed)`);
  assert.equal(lost, 0);
  assert.equal(finished, N * M);
  assert.equal(listed.length, N * M, 'runs appeared that no writer printed');
  assert.deepEqual(experiments.map((e) => e.name).sort(), ['iris', 'wine']);

  const leftovers = ['.journals', '.staging'].flatMap((d) =>
    fs.existsSync(path.join(store, d)) ? fs.readdirSync(path.join(store, d)).map((f) => `${d}/${f}`) : []);
  assert.deepEqual(leftovers, [], 'journals or staging left behind');
  assert.ok(!fs.existsSync(path.join(store, '.journal.json')));
  assert.ok(!fs.existsSync(path.join(store, '.tmp')));
});
