// The folder store as a user meets it through the CLI: names that are too long or collide with
// reference syntax are refused and the store stays usable, Unicode names work, a journal left by
// a crash never bricks the store (it is finished or set aside, with a note), and read-only
// commands write nothing.
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
function tempDir(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }
function write(dir, name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}
// Every file under `dir` with its bytes and modification time.
function tree(dir) {
  const out = {};
  for (const f of fs.readdirSync(dir, { recursive: true }).sort()) {
    const p = path.join(dir, f);
    const st = fs.statSync(p);
    out[f] = st.isDirectory() ? `dir ${st.mtimeMs}` : `${fs.readFileSync(p, 'latin1')} ${st.mtimeMs}`;
  }
  return out;
}
function oneLineError(r, pattern) {
  assert.equal(r.code, 1, r.out + r.err);
  assert.equal(r.err.trimEnd().split('\n').length, 1, `not one line: ${r.err}`);
  assert.match(r.err, pattern);
}

const CSV = 'user_id,event_timestamp,x\n1,2024-01-01T00:00:00,3\n2,2024-01-02T00:00:00,4\n';

test('a 256-byte or 10,000-byte dataset / feature group name is refused and the store stays usable', () => {
  const store = tempDir('mllab-names-');
  const s = ['--store', store];
  const csv = write(store, '..data.csv', CSV);
  assert.equal(mllab(['run', 'examples/iris-logreg.json', ...s]).code, 0);
  for (const n of [256, 10000]) {
    const name = 'd'.repeat(n);
    oneLineError(mllab(['datasets', 'add', csv, '--name', name, ...s]),
      new RegExp(`dataset name '${'d'.repeat(40)}.*\\(${n} bytes\\)' is ${n} characters long \\(at most 250\\)`));
    oneLineError(mllab(['features', 'register', name, csv, '--entity', 'user_id', ...s]),
      new RegExp(`feature group name .* is ${n} characters long \\(at most 250\\)`));
    assert.ok(mllab(['datasets', 'add', csv, '--name', name, ...s]).err.length < 400, 'the name is not repeated whole');
  }
  const list = mllab(['runs', 'list', ...s]);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /iris-multinomial/);
  assert.ok(!fs.existsSync(path.join(store, '.journal.json')));
  assert.deepEqual(fs.readdirSync(path.join(store, '.journals')), []);
});

test("a dataset named a:2 is refused (':' separates versions); Unicode names work and are shown intact", () => {
  const store = tempDir('mllab-names-');
  const s = ['--store', store];
  const csv = write(store, '..data.csv', CSV);
  oneLineError(mllab(['datasets', 'add', csv, '--name', 'a:2', ...s]),
    /dataset name 'a:2' contains ':' \(':' separates the version in datasets:\/NAME:VERSION\)/);
  oneLineError(mllab(['features', 'register', 'g@2', csv, '--entity', 'user_id', ...s]), /'@' separates the version/);
  const name = 'données-鷺 2024';
  const add = mllab(['datasets', 'add', csv, '--name', name, ...s, '--json']);
  assert.equal(add.code, 0, add.err);
  assert.equal(JSON.parse(add.out).name, name);
  const listed = JSON.parse(mllab(['datasets', 'list', ...s, '--json']).out).map((d) => d.name);
  assert.ok(listed.includes(name), listed.join(', '));
  const show = mllab(['datasets', 'show', `${name}:1`, ...s]);
  assert.equal(show.code, 0, show.err);
  assert.ok(show.out.includes(name));
  const reg = mllab(['features', 'register', name, csv, '--entity', 'user_id', ...s]);
  assert.equal(reg.code, 0, reg.err);
  const bad = mllab(['datasets', 'add', csv, '--name', 'é\x1b[31m', ...s]);
  oneLineError(bad, /dataset name 'é\\x1b\[31m' contains a control character/);
});

test('read-only commands create, replay and delete nothing', () => {
  const missing = path.join(tempDir('mllab-ro-'), 'not-yet');
  for (const args of [['runs', 'list'], ['experiments', 'list'], ['datasets', 'list'], ['models', 'list'],
    ['features', 'list'], ['monitor', 'reports']]) {
    const r = mllab([...args, '--store', missing]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.ok(!fs.existsSync(missing), `${args.join(' ')} created the store`);
  }
  const store = tempDir('mllab-ro-');
  const s = ['--store', store];
  const run = JSON.parse(mllab(['run', 'examples/iris-logreg.json', ...s, '--json']).out);
  // A journal left by a crashed writer (old format) with its staged value.
  fs.mkdirSync(path.join(store, '.tmp'));
  fs.writeFileSync(path.join(store, '.tmp', 'x-0'), 'staged');
  fs.writeFileSync(path.join(store, '.journal.json'),
    JSON.stringify({ schema: 'mllab.store_journal', schema_version: 1, writes: [{ key: 'notes/x', tmp: 'x-0' }] }));
  const before = tree(store);
  for (const args of [['runs', 'list'], ['runs', 'show', run.run_id], ['experiments', 'list'], ['datasets', 'list'],
    ['models', 'list'], ['features', 'list'], ['monitor', 'reports']]) {
    const r = mllab([...args, ...s]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /^mllab: note: store .* holds 1 unfinished commit/);
  }
  assert.deepEqual(tree(store), before, 'a read-only command changed the store');
  // The next writing command finishes it, and says so once.
  const w = mllab(['runs', 'tag', run.run_id, 'k', 'v', ...s]);
  assert.equal(w.code, 0, w.err);
  assert.match(w.err, /^mllab: note: store .*: finished an interrupted commit of 1 writes\n$/);
  assert.ok(!fs.existsSync(path.join(store, '.journal.json')));
  assert.equal(mllab(['runs', 'list', ...s]).err, '');
});

test('a corrupt journal never bricks the store: it is set aside with a note', () => {
  const store = tempDir('mllab-journal-');
  const s = ['--store', store];
  assert.equal(mllab(['run', 'examples/iris-logreg.json', ...s]).code, 0);
  fs.writeFileSync(path.join(store, '.journals', '1-dead.json'), '{"schema": "mllab.store_journal", "wri');
  const r = mllab(['run', 'examples/wine-logreg.json', ...s]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /mllab: note: store .*: set aside the journal 1-dead\.json .*invalid JSON/);
  const list = JSON.parse(mllab(['runs', 'list', ...s, '--json']).out);
  assert.equal(list.length, 2);
  assert.ok(fs.existsSync(path.join(store, '.journals', '1-dead.json.discarded')));
});
