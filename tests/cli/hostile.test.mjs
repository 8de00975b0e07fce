// Hostile input through every mllab command (issue 9): deep JSON, out-of-range numbers, NUL bytes,
// invalid UTF-8, terminal escapes, huge values, empty / binary / missing files, directories given
// as files, wrong types, unknown ids, very long arguments. Whatever the input: exit code 0 or 1,
// at most one line on stderr, no raw control characters on either stream, no crash text, and a
// failing command leaves the store exactly as it was.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MLLAB = path.join(ROOT, 'build/mllab');

// Temporary folders (megabytes of hostile files each), removed when the tests end.
const temps = [];
function tempDir(prefix) { const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix)); temps.push(d); return d; }
after(() => { for (const d of temps) fs.rmSync(d, { recursive: true, force: true }); });
function write(dir, name, data) { const p = path.join(dir, name); fs.writeFileSync(p, data); return p; }

// Runs mllab; streams are read as latin1 so every byte is seen as it was written.
function mllab(args) {
  const r = spawnSync(MLLAB, args, { cwd: ROOT, encoding: 'latin1', maxBuffer: 64 << 20, timeout: 120000 });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

// Every file of the store (path and content digest), sorted: what a failing command must not change.
function storeDigest(store) {
  const lines = [];
  const walk = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== '.staging') walk(p, r);  // per-process staging, empty between commands
      } else if (!/\.lock$/.test(e.name)) {
        lines.push(`${r} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
      }
    }
  };
  walk(store, '');
  return lines.sort().join('\n');
}

// Control characters other than line feed and tab (CSV data may also hold a carriage return).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

// The contract for one command line.
function check(args, { store, mayWrite = false, csvOut = false } = {}) {
  const label = `mllab ${args.map((a) => (a.length > 60 ? a.slice(0, 60) + '...' : a)).join(' ')}`;
  const before = store ? storeDigest(store) : null;
  const r = mllab(args);
  assert.equal(r.signal, null, `${label}: killed by ${r.signal}\n${r.err.slice(0, 500)}`);
  assert.ok(r.code === 0 || r.code === 1, `${label}: exit code ${r.code}\n${r.err.slice(0, 500)}`);
  const errLines = r.err.replace(/\n$/, '').split('\n');
  assert.ok(r.err === '' || errLines.length === 1, `${label}: ${errLines.length} lines on stderr:\n${r.err.slice(0, 1000)}`);
  if (r.code === 1) assert.match(r.err, /^mllab: error: \S/, `${label}: ${r.err.slice(0, 300)}`);
  for (const bad of ['terminate called', 'Segmentation', '[json.exception', 'what():', 'Aborted']) {
    assert.ok(!r.err.includes(bad) && !r.out.includes(bad), `${label}: raw crash text '${bad}'`);
  }
  assert.ok(!CONTROL.test(r.err), `${label}: control character on stderr: ${JSON.stringify(r.err.slice(0, 300))}`);
  if (!csvOut) assert.ok(!CONTROL.test(r.out), `${label}: control character on stdout: ${JSON.stringify(r.out.slice(0, 300))}`);
  assert.ok(r.err.length < 2100, `${label}: a ${r.err.length}-byte error message`);
  if (store && r.code === 1 && !mayWrite) {
    assert.equal(storeDigest(store), before, `${label}: the store changed although the command failed`);
  }
  return r;
}

function ok(args, opts) {
  const r = check(args, opts);
  assert.equal(r.code, 0, `mllab ${args.join(' ')}: ${r.err}`);
  return r;
}

// A store holding one of everything, and a folder of hostile files.
function fixture() {
  const store = tempDir('mllab-hostile-store-');
  const dir = tempDir('mllab-hostile-in-');
  const s = ['--store', store];
  const run = JSON.parse(ok(['run', 'examples/iris-logreg.json', ...s, '--json']).out);
  ok(['models', 'register', `runs:/${run.run_id}/model`, 'iris', ...s]);
  const iris = fs.readFileSync(path.join(ROOT, 'assets/datasets/iris.csv'), 'utf8');
  const head = iris.split('\n').slice(0, 6).join('\n') + '\n';
  const irisHead = write(dir, 'iris-head.csv', head);
  ok(['models', 'predict', 'models:/iris/1', irisHead, '--log', ...s]);
  ok(['datasets', 'add', irisHead, '--name', 'irishead', ...s]);
  const feats = write(dir, 'feats.csv', 'user_id,event_timestamp,total\n1,2024-01-01T00:00:00Z,10\n2,2024-01-02T00:00:00Z,5\n');
  ok(['features', 'register', 'user_stats', feats, '--entity', 'user_id', ...s]);
  const log = JSON.parse(ok(['monitor', 'log', 'iris', ...s, '--json']).out);

  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/iris-logreg.json'), 'utf8'));
  spec.dataset.path = path.join(ROOT, 'assets/datasets/iris.csv');
  const specText = (edit) => { const j = structuredClone(spec); edit(j); return JSON.stringify(j); };
  const deep = (n) => '['.repeat(n) + ']'.repeat(n);
  const big = 'x'.repeat(3 << 20);
  const binary = crypto.randomBytes(4096);
  const files = {
    // Specs.
    deepDoc: write(dir, 'deep-doc.json', deep(100000)),
    deepField: write(dir, 'deep-field.json', specText((j) => { j.run_name = '@'; }).replace('"@"', deep(100000))),
    deep50k: write(dir, 'deep-50k.json', specText((j) => { j.split = '@'; }).replace('"@"', deep(50000))),
    num1e400: write(dir, 'num-1e400.json', specText((j) => { j.split.test_size = '@'; }).replace('"@"', '1e400')),
    nulSpec: write(dir, 'nul.json', Buffer.concat([Buffer.from('{"schema": "mllab.pipeline", "run_name": "a'), Buffer.from([0]), Buffer.from('b"}')])),
    badUtf8Spec: write(dir, 'bad-utf8.json', Buffer.concat([Buffer.from(specText((j) => { j.run_name = '@'; }).split('"@"')[0] + '"'), Buffer.from([0xff, 0xfe]), Buffer.from('"' + specText((j) => { j.run_name = '@'; }).split('"@"')[1])])),
    rawControlSpec: write(dir, 'raw-control.json', specText((j) => { j.run_name = '@'; }).replace('"@"', '"a\x1b[31mb"')),
    hugeSpec: write(dir, 'huge.json', specText((j) => { j.description = big; })),
    wrongTypes: [
      specText((j) => { j.steps = 'x'; }), specText((j) => { j.dataset = 5; }), specText((j) => { j.split = []; }),
      specText((j) => { j.split.test_size = 'a'; }), specText((j) => { j.split.random_state = -1; }),
      specText((j) => { j.dataset.features = []; }), specText((j) => { j.dataset.features = [1, 2]; }),
      specText((j) => { j.steps[0].params = { C: 'x'.repeat(200000) }; }), specText((j) => { j.tags = { k: [1] }; }),
      specText((j) => { j.dataset.target = 'x'.repeat(100000); }), specText((j) => { j.experiment = ''; }),
      specText((j) => { j.dataset.path = dir; }), specText((j) => { j.dataset.path = '/nonexistent/x.csv'; }),
      '{"schema": "mllab.pipeline"', '[]', 'null', '"x"', '1e400', '{"a": 1e400}',
    ].map((t, i) => write(dir, `wrong-${i}.json`, t)),
    // CSVs.
    extreme: write(dir, 'extreme.csv', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n' +
      Array.from({ length: 60 }, (_, i) => `${i % 2 ? 1e308 : -1e308},${i},${i * 1e300},${-i}`).join('\n') + '\n'),
    extremeRef: write(dir, 'extreme-ref.csv', 'a,b\n' + Array.from({ length: 50 }, (_, i) => `${i % 3 ? 1e308 : -1e308},${i}`).join('\n') + '\n'),
    extremeCur: write(dir, 'extreme-cur.csv', 'a,b\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2 ? -1e308 : 1e308}`).join('\n') + '\n'),
    nulCsv: write(dir, 'nul.csv', Buffer.concat([Buffer.from('a,b\n1,2'), Buffer.from([0]), Buffer.from('\n3,4\n')])),
    badUtf8Csv: write(dir, 'bad-utf8.csv', Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')])),
    escapeCsv: write(dir, 'escape.csv', 'a\x1b[31m,b\n1,"x\x1b[2Jy"\n2,z\n'),
    emptyCsv: write(dir, 'empty.csv', ''),
    binary: write(dir, 'binary.bin', binary),
    hugeCell: write(dir, 'huge-cell.csv', `a,b\n1,${big}\n`),
    lacking: write(dir, 'lacking.csv', 'sepal length (cm)\n5.1\n4.9\n6.3\n'),
    headerOnly: write(dir, 'header-only.csv', 'a,b\n'),
    number1e400: write(dir, 'n1e400.csv', 'a,b\n1e400,1\n2,3\n'),
    steps1e400: write(dir, 'steps.json', '[{"op": "flag", "column": "a", "operator": ">", "value": 1e400, "as": "x"}]'),
    deepSteps: write(dir, 'deep-steps.json', deep(100000)),
  };
  return { store, dir, s, run, log, irisHead, feats, files };
}

const LONG = 'L'.repeat(100000);
const ESC = '\x1b[31mred\x1b[0m';
const NEWLINE_NAME = 'fake\nRUN_ID  NAME';

test('hostile specs: mllab run refuses each with one line, exit 1, and logs nothing', () => {
  const f = fixture();
  const specs = [f.files.deepDoc, f.files.deepField, f.files.deep50k, f.files.num1e400, f.files.nulSpec,
    f.files.badUtf8Spec, f.files.rawControlSpec, ...f.files.wrongTypes, f.files.emptyCsv, f.files.binary, f.dir,
    path.join(f.dir, 'missing.json'), LONG];
  for (const spec of specs) {
    const r = check(['run', spec, ...f.s], { store: f.store, mayWrite: true });
    assert.equal(r.code, 1, `run ${spec}: ${r.out.slice(0, 200)}`);
    // A spec that gets as far as a run records it FAILED; nothing else may appear.
    const runs = JSON.parse(ok(['runs', 'list', ...f.s, '--json']).out);
    assert.ok(runs.every((x) => x.run_id === f.run.run_id || x.status === 'FAILED'), `run ${spec}: ${JSON.stringify(runs.map((x) => x.status))}`);
  }
  // The messages name what is wrong.
  const deepMsg = check(['run', f.files.deepField, ...f.s]).err;
  assert.match(deepMsg, /JSON nests deeper than 128 levels at line 1, column \d+/);
  assert.ok(deepMsg.length < 400, deepMsg);
  assert.match(check(['run', f.files.num1e400, ...f.s]).err, /number 1e400 at line 1, column \d+ \(field 'split\.test_size'\) is out of range/);
  assert.match(check(['run', f.files.wrongTypes[5], ...f.s]).err, /dataset\.features: must list at least one column/);
  assert.match(check(['run', f.files.deep50k, ...f.s]).err, /nests deeper than 128/);
  // A big spec (a 3 MB description) either trains or is refused; never a crash.
  check(['run', f.files.hugeSpec, ...f.s], { store: f.store, mayWrite: true });
});

test('hostile arguments through runs and experiments commands', () => {
  const f = fixture();
  const s = f.s;
  const st = { store: f.store };
  const filters = ['('.repeat(50000) + 'metrics.a > 1' + ')'.repeat(50000), LONG, ESC, 'metrics.a > 1e400',
    "params.x = '" + 'y'.repeat(100000) + "'", 'metrics.', "attributes.run_name = '\x7f'", '', "tags.`\x1b` = 'x'"];
  for (const filter of filters) check(['runs', 'search', filter, ...s], st);
  for (const order of [LONG, ESC, 'metrics.a SIDEWAYS']) check(['runs', 'search', '', '--order-by', order, ...s], st);
  for (const exp of [LONG, ESC, '', 'nope']) check(['runs', 'list', '--experiment', exp, ...s], st);
  for (const id of [LONG, ESC, '', 'ffffffff', '../../etc/passwd', '%00']) {
    check(['runs', 'show', id, ...s], st);
    for (const verb of ['delete', 'restore']) check(['runs', verb, id, ...s], st);
    check(['runs', 'rename', id, 'x', ...s], st);
    check(['runs', 'tag', id, 'k', 'v', ...s], st);
    check(['runs', 'note', id, 'n', ...s], st);
    for (const verb of ['delete', 'restore']) check(['experiments', verb, id, ...s], st);
    check(['experiments', 'rename', id, 'x', ...s], st);
  }
  // Hostile values on an existing run: stored or refused, never a crash; text output escapes them.
  for (const value of [ESC, NEWLINE_NAME, LONG, '']) {
    check(['runs', 'rename', f.run.run_id, value, ...s], st);
    check(['runs', 'tag', f.run.run_id, value || 'k', value, ...s], st);
    check(['runs', 'note', f.run.run_id, value, ...s], st);
    check(['experiments', 'rename', f.run.experiment_id, value, ...s], st);
  }
  ok(['runs', 'list', ...s]);
  ok(['runs', 'show', f.run.run_id, ...s]);
  ok(['experiments', 'list', ...s]);
  // A 100 KB value is quoted cut short, not repeated.
  const Q = 'Q'.repeat(100000);
  for (const args of [['runs', 'show', Q], ['runs', 'search', Q], ['experiments', 'delete', Q], ['datasets', 'show', Q],
    ['features', 'get', Q], ['models', 'register', Q, 'm'], ['models', 'transition', 'iris', '1', Q],
    ['monitor', 'actual', Q, '1'], ['monitor', 'drift', 'assets/datasets/iris.csv', 'assets/datasets/iris.csv', '--column', Q]]) {
    const r = check([...args, ...s], st);
    assert.equal(r.code, 1, args[0]);
    assert.ok(r.err.length < 400, `${args.slice(0, 2).join(' ')}: ${r.err.length} bytes: ${r.err.slice(0, 200)}`);
    assert.match(r.err, /\.\.\. \(100000 bytes\)/);
  }
  // Usage errors are one line and exit 1 too.
  for (const args of [['runs'], ['nope'], ['runs', 'show'], ['runs', 'list', '--bogus'], ['models', 'transition', 'iris', 'abc', 'Staging'],
    ['models', 'transition', 'iris', '1e400', 'Staging'], ['monitor', 'reports', '--version', 'x'], ['monitor', 'log', 'iris', '--limit', '-1e400']]) {
    const r = check([...args, ...s], st);
    assert.equal(r.code, 1, args.join(' '));
  }
});

test('control characters in stored names never reach the terminal raw', () => {
  const f = fixture();
  const s = f.s;
  // Run names are one line of text (MLflow's limits): control characters are refused, and the
  // refusal quotes the name escaped.
  const renamed = check(['runs', 'rename', f.run.run_id, NEWLINE_NAME + ESC, ...s], { store: f.store });
  assert.equal(renamed.code, 1);
  assert.ok(renamed.err.includes('fake\\nRUN_ID'), renamed.err);
  // Tag values (notes) may hold any text: printed escaped in text, exact in JSON.
  ok(['runs', 'tag', f.run.run_id, 'kk', 'v\nw', ...s]);
  ok(['runs', 'tag', f.run.run_id, 'colour', ESC, ...s]);
  const list = ok(['runs', 'list', ...s]).out;
  assert.equal(list.trim().split('\n').length, 2, `a header and one row:\n${list}`);
  const show = ok(['runs', 'show', f.run.run_id, ...s]).out;
  assert.ok(show.includes('\\x1b[31mred'), show);
  assert.ok(show.includes('v\\nw'), show);
  // JSON output keeps the exact value, escaped by JSON.
  const json = JSON.parse(Buffer.from(ok(['runs', 'show', f.run.run_id, ...s, '--json']).out, 'latin1').toString('utf8'));
  assert.equal(json.tags.colour, ESC);
});

test('hostile datasets and features commands', () => {
  const f = fixture();
  const s = f.s;
  const st = { store: f.store };
  const csvs = [f.files.nulCsv, f.files.badUtf8Csv, f.files.escapeCsv, f.files.emptyCsv, f.files.binary, f.files.hugeCell,
    f.files.headerOnly, f.files.number1e400, f.files.extreme, f.dir, path.join(f.dir, 'missing.csv'), LONG];
  for (const csv of csvs) {
    check(['datasets', 'add', csv, ...s], st);
    check(['datasets', 'add', csv, '--name', 'h', ...s], st);
    check(['features', 'register', 'g', csv, '--entity', 'a', ...s], st);
    check(['features', 'join', csv, 'user_stats:total', ...s], { ...st, csvOut: true });
    check(['features', 'online', 'user_stats:total', '--entities', csv, ...s], { ...st, csvOut: true });
  }
  const nul = check(['datasets', 'add', f.files.nulCsv, ...s], st);
  assert.match(nul.err, /nul\.csv: line 2, column 2 \(b\): NUL byte/);
  // Names that become store keys, 256 bytes and more included (issue 9 item 1: such a name used
  // to leave a journal behind that blocked the store).
  for (const name of [ESC, '', 'a/b', '..', 'a:2', 'n'.repeat(200), 'é\u202e'.repeat(20), LONG, 'x'.repeat(300)]) {
    check(['datasets', 'add', f.irisHead, '--name', name, ...s], st);
    check(['datasets', 'derive', name, '--from', 'irishead', '--steps', '[]', ...s], st);
    check(['features', 'register', name, f.feats, '--entity', 'user_id', ...s], st);
  }
  for (const name of [LONG, ESC, '', 'a/b', '..', 'a:2', 'x'.repeat(300)]) {
    check(['datasets', 'show', name, ...s], st);
    check(['features', 'get', name, ...s], { ...st, csvOut: true });
    check(['features', 'join', f.feats, `${name}:total`, ...s], { ...st, csvOut: true });
  }
  for (const steps of ['[' .repeat(100000), '['.repeat(60000) + ']'.repeat(60000), f.files.deepSteps, f.files.steps1e400,
    f.files.binary, f.dir, '[{"op": 1}]', '{}', '[1e400]', LONG, '[' + '"x",'.repeat(1000) + '"x"]']) {
    check(['datasets', 'derive', 'd', '--from', 'irishead', '--steps', steps, ...s], st);
  }
  assert.match(check(['datasets', 'derive', 'd', '--from', 'irishead', '--steps', f.files.deepSteps, ...s], st).err,
    /nests deeper than 128 levels at line 1, column 129/);
  for (const ref of [LONG, ESC, 'irishead:0', 'irishead:-1', 'irishead:1e400', 'irishead:abc', 'irishead:99999999999999999999']) {
    check(['datasets', 'show', ref, ...s], st);
    check(['datasets', 'derive', 'd', '--from', ref, '--steps', '[]', ...s], st);
  }
  for (const ttl of [LONG, '1e400d', '-1d', '99999999999999999999d', ESC]) {
    check(['features', 'register', 'g2', f.feats, '--entity', 'user_id', '--ttl', ttl, ...s], st);
  }
  for (const col of [LONG, ESC, '']) {
    check(['features', 'register', 'g3', f.feats, '--entity', col, ...s], st);
    check(['features', 'register', 'g3', f.feats, '--entity', 'user_id', '--timestamp', col, ...s], st);
    check(['features', 'join', f.feats, 'user_stats:total', '--timestamp-column', col, ...s], { ...st, csvOut: true });
  }
  for (const ver of ['user_stats@x', 'user_stats@-1', 'user_stats@1e400', 'user_stats@99999999999999999999']) {
    check(['features', 'get', ver, ...s], { ...st, csvOut: true });
  }
  ok(['datasets', 'list', ...s]);
  ok(['features', 'list', ...s]);
});

test('hostile models and monitor commands', () => {
  const f = fixture();
  const s = f.s;
  const st = { store: f.store };
  for (const uri of [LONG, ESC, '', 'runs:/', 'runs://model', 'models:/', 'models:/iris/0', 'models:/iris/-1',
    'models:/iris/1e400', 'models:/iris/99999999999999999999', 'models:/iris@' + LONG, `runs:/${f.run.run_id}/${LONG}`,
    'models:/../../x/1', 'file:///etc/passwd']) {
    check(['models', 'register', uri, 'm2', ...s], st);
    check(['models', 'predict', uri, f.irisHead, ...s], st);
    check(['monitor', 'drift', f.irisHead, '--model', uri, ...s], st);
  }
  for (const name of [LONG, ESC, '', 'x'.repeat(300), '../x']) {
    check(['models', 'register', `runs:/${f.run.run_id}/model`, name, ...s], st);
    check(['models', 'show', name, ...s], st);
    check(['models', 'transition', name, '1', 'Staging', ...s], st);
    check(['models', 'alias', name, 'champion', '1', ...s], st);
    check(['monitor', 'log', name, ...s], st);
    check(['monitor', 'reports', '--model', name, ...s], st);
  }
  for (const [v, stage] of [['0', 'Staging'], ['-1', 'Staging'], ['99999', 'Staging'], ['1', LONG], ['1', ESC], ['1', '']]) {
    check(['models', 'transition', 'iris', v, stage, ...s], st);
  }
  for (const [alias, v] of [[LONG, '1'], [ESC, '1'], ['', '1'], ['c', 'x'], ['c', '1e400'], ['c', '99999999999999999999'], ['c', '-5']]) {
    check(['models', 'alias', 'iris', alias, v, ...s], st);
  }
  const csvs = [f.files.nulCsv, f.files.badUtf8Csv, f.files.escapeCsv, f.files.emptyCsv, f.files.binary, f.files.hugeCell,
    f.files.headerOnly, f.files.number1e400, f.files.extreme, f.files.lacking, f.dir, path.join(f.dir, 'missing.csv')];
  for (const csv of csvs) {
    check(['models', 'predict', 'models:/iris/1', csv, ...s], { ...st, csvOut: true });
    check(['models', 'predict', 'models:/iris/1', csv, '--log', ...s], { ...st, csvOut: true });
    check(['monitor', 'drift', 'assets/datasets/iris.csv', csv, ...s], st);
    check(['monitor', 'drift', csv, f.irisHead, ...s], st);
    check(['monitor', 'drift', csv, '--model', 'models:/iris/1', ...s], { ...st, mayWrite: false });
  }
  // Item 5: both ends of double's range in one column, with and without --model.
  const both = ok(['monitor', 'drift', f.files.extremeRef, f.files.extremeCur, ...s, '--json']);
  assert.equal(JSON.parse(both.out).number_of_columns, 2);
  ok(['monitor', 'drift', f.files.extreme, '--model', 'models:/iris/1', ...s, '--json']);
  // Item 7: bad option values name the option and the allowed range.
  for (const [opt, v, pattern] of [['--threshold', '-1', /--threshold: must be a finite number >= 0 \(got '-1'\)/],
    ['--threshold', 'nan', /--threshold: must be a finite number >= 0 \(got 'nan'\)/],
    ['--threshold', '1e400', /--threshold: must be a finite number >= 0/],
    ['--drift-share', '2', /--drift-share: must be a number in \[0, 1\] \(got '2'\)/],
    ['--drift-share', 'nan', /--drift-share: must be a number in \[0, 1\]/],
    ['--column-threshold', 'sepal length (cm)=-1', /--column-threshold sepal length \(cm\): must be a finite number >= 0/],
    ['--column-threshold', 'sepal length (cm)=inf', /--column-threshold sepal length \(cm\): must be a finite number >= 0/]]) {
    const r = check(['monitor', 'drift', 'assets/datasets/iris.csv', f.irisHead, opt, v, ...s], st);
    assert.equal(r.code, 1, `${opt} ${v}`);
    assert.match(r.err, pattern);
  }
  for (const [opt, v] of [['--test', LONG], ['--test', '=ks'], ['--stattest', ESC], ['--column', LONG], ['--column', ESC],
    ['--categorical', 'nope'], ['--numerical', 'species'], ['--test', `${ESC}=ks`]]) {
    check(['monitor', 'drift', 'assets/datasets/iris.csv', f.irisHead, opt, v, ...s], st);
  }
  // A drift error names an option this command has.
  const text = write(f.dir, 'text.csv', 'a,b\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 2 ? 'yes' : 'no'}`).join('\n') + '\n');
  const textNum = write(f.dir, 'text-num.csv', 'a,b\n' + Array.from({ length: 30 }, (_, i) => `${i},${i}`).join('\n') + '\n');
  const mixed = check(['monitor', 'drift', text, textNum, ...s], st);
  assert.equal(mixed.code, 1);
  assert.match(mixed.err, /--categorical/);
  assert.ok(!/categorical_columns/.test(mixed.err), mixed.err);
  const words = write(f.dir, 'words.csv', 'a,b\n' + Array.from({ length: 30 }, (_, i) => `${i},word ${i} and more`).join('\n') + '\n');
  const skipped = JSON.parse(ok(['monitor', 'drift', words, words, ...s, '--json']).out);
  assert.equal(skipped.warnings.length, 1);
  assert.match(skipped.warnings[0], /1 free-text column skipped .*--categorical.*: 'b'/);
  // Item 7: a current file lacking reference columns is compared on the shared ones, with a warning.
  const lacking = ok(['monitor', 'drift', 'assets/datasets/iris.csv', f.files.lacking, ...s]);
  assert.match(lacking.out, /warning: the current table lacks 4 reference columns, not compared: 'sepal width \(cm\)'/);
  const lackingJson = JSON.parse(ok(['monitor', 'drift', 'assets/datasets/iris.csv', f.files.lacking, ...s, '--json']).out);
  assert.equal(lackingJson.warnings.length, 1);
  assert.match(lackingJson.warnings[0], /petal width \(cm\)/);
  for (const id of [LONG, ESC, '', f.log[0].prediction_id + 'x']) check(['monitor', 'actual', id, '1', ...s], st);
  for (const value of [LONG, ESC, '1e400', 'nan', '']) check(['monitor', 'actual', f.log[0].prediction_id, value, ...s], st);
  for (const v of ['-1', '0', '99999999999', 'x']) {
    check(['monitor', 'log', 'iris', '--version', v, ...s], st);
    check(['monitor', 'log', 'iris', '--limit', v, ...s], st);
    check(['monitor', 'reports', '--version', v, ...s], st);
  }
  ok(['models', 'list', ...s]);
  ok(['models', 'show', 'iris', ...s]);
  ok(['monitor', 'log', 'iris', ...s]);
  ok(['monitor', 'reports', ...s]);
});

test('a damaged store: unreadable records are named or skipped, never a crash', () => {
  const f = fixture();
  const s = f.s;
  const runFile = path.join(f.store, 'runs', f.run.run_id);
  if (!fs.existsSync(runFile)) return assert.fail(`expected the run record at ${runFile}`);
  for (const damage of ['[' .repeat(100000) + ']'.repeat(100000), '{"schema": 1e400}', '', Buffer.from([0, 0xff, 0x1b]),
    '{"schema": "mllab.run", "schema_version": 1, "info": {"run_id": 5}}']) {
    fs.writeFileSync(runFile, damage);
    check(['runs', 'list', ...s]);
    const show = check(['runs', 'show', f.run.run_id, ...s]);
    assert.equal(show.code, 1);
    assert.match(show.err, new RegExp(`run record 'runs/${f.run.run_id}'`));
    check(['runs', 'search', 'metrics.accuracy > 0', ...s]);
    check(['models', 'predict', `runs:/${f.run.run_id}/model`, f.irisHead, ...s]);
    check(['datasets', 'show', 'irishead', ...s]);
  }
  for (const dir of ['registered_models', 'datasets', 'features', 'drift_reports', 'predictions', 'experiments']) {
    const d = path.join(f.store, dir);
    if (!fs.existsSync(d)) continue;
    const walk = (p) => {
      for (const e of fs.readdirSync(p, { withFileTypes: true })) {
        const q = path.join(p, e.name);
        if (e.isDirectory()) walk(q);
        else fs.writeFileSync(q, '['.repeat(100000));
      }
    };
    walk(d);
  }
  for (const args of [['models', 'list'], ['models', 'show', 'iris'], ['datasets', 'list'], ['datasets', 'show', 'irishead'],
    ['features', 'list'], ['features', 'get', 'user_stats'], ['monitor', 'log', 'iris'], ['monitor', 'reports'],
    ['experiments', 'list'], ['monitor', 'actual', f.log[0].prediction_id, '1']]) {
    check([...args, ...s]);
  }
});
