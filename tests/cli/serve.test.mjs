// `mllab models serve` run as a user would: a store prepared by `mllab run` + `models register`,
// the server as a child process on a free port, MLflow scoring requests over real HTTP (node's
// fetch), the prediction log, one-line errors for an unknown model or a taken port, a clean
// exit on SIGTERM / SIGINT, and abuse (issue 9): 64 slow clients, 1,000 concurrent requests, a
// 60,000-level body, bad Content-Length, out-of-range numbers, booleans. Native build only
// (build/mllab).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// MLLAB_BIN: another native build of the CLI (default build/mllab).
const MLLAB = process.env.MLLAB_BIN || path.join(ROOT, 'build/mllab');

function mllab(args) {
  const r = spawnSync(MLLAB, args, { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function tempDir(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

// A port nobody listens on right now.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts `mllab models serve ARGS...`; resolves when it prints its "Serving ... on URL" line.
function serve(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(MLLAB, ['models', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const io = { out: '', err: '' };
    const exit = new Promise((done) => child.on('close', (code, signal) => done({ code, signal })));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "Serving" line within 30 s; stderr: ${io.err}`));
    }, 30000);
    child.stdout.on('data', (d) => {
      io.out += d;
      const m = io.out.match(/^Serving (\S+) on (http:\/\/\S+)\n/m);
      if (m) {
        clearTimeout(timer);
        resolve({ child, uri: m[1], url: m[2], io, exit });
      }
    });
    child.stderr.on('data', (d) => { io.err += d; });
    exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`mllab models serve exited (${code}) before serving: ${io.err}`));  // no-op once resolved
    });
  });
}

// The store every test serves from: the iris example run registered as iris version 1.
let store;
let iris;  // {header: [...feature columns], rows: [[...numbers]]} of assets/datasets/iris.csv
before(() => {
  store = tempDir('mllab-serve-');
  const run = mllab(['run', 'examples/iris-logreg.json', '--store', store, '--json']);
  assert.equal(run.code, 0, run.err);
  const runId = JSON.parse(run.out).run_id;
  assert.match(runId, /^[0-9a-f]{32}$/);
  const reg = mllab(['models', 'register', `runs:/${runId}/model`, 'iris', '--store', store]);
  assert.equal(reg.code, 0, reg.err);

  const lines = fs.readFileSync(path.join(ROOT, 'assets/datasets/iris.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const target = header.indexOf('target');
  iris = {
    header: header.filter((_, i) => i !== target),
    rows: lines.slice(1).map((l) => l.split(',').filter((_, i) => i !== target).map(Number)),
  };
});

// Rows of iris as a CSV file body (header + rows).
function csvOf(indices) {
  return [iris.header.join(','), ...indices.map((i) => iris.rows[i].join(','))].join('\n') + '\n';
}

async function post(url, body, contentType) {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: res.status, type: res.headers.get('content-type'), json: await res.json() };
}

test('models serve answers MLflow scoring requests, logs them, and stops on SIGTERM', async () => {
  const rows = [0, 51, 102, 77, 149];
  // What the batch command answers for the same rows (both go through registry::predict).
  const dataFile = path.join(store, 'rows.csv');
  fs.writeFileSync(dataFile, csvOf(rows));
  const batch = mllab(['models', 'predict', 'models:/iris/1', dataFile, '--store', store, '--json']);
  assert.equal(batch.code, 0, batch.err);
  const want = JSON.parse(batch.out).predictions;  // iris' numeric labels are numbers in the CLI and the server alike
  assert.equal(want.length, rows.length);
  assert.deepEqual(want.slice(0, 3), [0, 1, 2]);  // a setosa, a versicolor and a virginica that are easy to tell apart

  const port = await freePort();
  const srv = await serve(['models:/iris/1', '--port', String(port), '--store', store, '--log']);
  try {
    assert.equal(srv.url, `http://127.0.0.1:${port}`);
    assert.equal(srv.uri, 'models:/iris/1');

    for (const p of ['/ping', '/health']) {
      const res = await fetch(srv.url + p);
      assert.equal(res.status, 200, p);
      assert.equal(await res.text(), '\n');
    }
    const version = await fetch(srv.url + '/version');
    assert.equal(version.status, 200);
    assert.equal(`mllab ${await version.text()}`, mllab(['--version']).out.trim());

    const split = { dataframe_split: { columns: iris.header, data: rows.map((i) => iris.rows[i]) } };
    let r = await post(srv.url, JSON.stringify(split), 'application/json');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json, { predictions: want });

    const records = rows.map((i) => Object.fromEntries(iris.header.map((c, k) => [c, iris.rows[i][k]])));
    r = await post(srv.url, JSON.stringify({ dataframe_records: records, params: { predict_proba: true } }),
      'application/json; charset=utf-8');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json.predictions, want);
    assert.deepEqual(r.json.classes, [0, 1, 2]);
    for (const [i, row] of r.json.probabilities.entries()) {
      const p = Object.values(row);  // keyed by class: {"0": p0, "1": p1, "2": p2}
      assert.deepEqual(Object.keys(row), ['0', '1', '2']);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, `row ${i} sums to 1`);
      assert.equal(p.indexOf(Math.max(...p)), want[i]);
    }

    r = await post(srv.url, csvOf(rows), 'text/csv');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json, { predictions: want });

    // Errors: one-line JSON naming what is wrong; nothing is logged for them.
    r = await post(srv.url, JSON.stringify({ dataframe_records: [{ 'sepal length (cm)': 5.1 }] }), 'application/json');
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, 'BAD_REQUEST');
    assert.match(r.json.message, /missing columns \[.*'petal width \(cm\)'.*\]/);
    r = await post(srv.url, '{"inputs": ', 'application/json');
    assert.equal(r.status, 400);
    assert.match(r.json.message, /^request body: invalid JSON at line 1, column 12: /);
    r = await post(srv.url, JSON.stringify({ rows: records }), 'application/json');
    assert.equal(r.status, 400);
    assert.match(r.json.message, /unknown key 'rows'/);
    r = await post(srv.url, csvOf(rows), 'text/plain');
    assert.equal(r.status, 415);
    assert.equal(r.json.error_code, 'BAD_REQUEST');
    const missing = await fetch(srv.url + '/predict', { method: 'POST' });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error_code, 'ENDPOINT_NOT_FOUND');
  } finally {
    srv.child.kill('SIGTERM');
  }
  const { code, signal } = await srv.exit;
  assert.equal(signal, null);
  assert.equal(code, 0, srv.io.err);
  assert.match(srv.io.err, /stopped serving models:\/iris\/1/);

  // --log: the three answered requests, every row, in one record per request.
  const log = mllab(['monitor', 'log', 'iris', '--store', store, '--json']);
  assert.equal(log.code, 0, log.err);
  const entries = JSON.parse(log.out);
  assert.equal(entries.length, 3 * rows.length);
  assert.deepEqual(entries.map((e) => Number(e.prediction)), [...want, ...want, ...want]);
  assert.ok(entries.every((e) => e.model_version === 1 && e.model_uri === 'models:/iris/1'));
  const recordFiles = fs.readdirSync(path.join(store, 'predictions', 'iris'));
  assert.equal(recordFiles.length, 3);
});

test('models serve refuses an unknown model and a taken port with one line, and stops on SIGINT', async () => {
  const port = await freePort();
  const unknown = mllab(['models', 'serve', 'models:/nope/1', '--port', String(port), '--store', store]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.out, '');
  assert.match(unknown.err, /^mllab: error: cannot serve 'models:\/nope\/1': .*nope.*\n$/);

  const taken = net.createServer();
  await new Promise((resolve) => taken.listen(port, '127.0.0.1', resolve));
  try {
    const busy = mllab(['models', 'serve', 'models:/iris/1', '--port', String(port), '--store', store]);
    assert.equal(busy.code, 1);
    assert.equal(busy.out, '');
    assert.equal(busy.err, `mllab: error: cannot listen on 127.0.0.1:${port}: the port is already in use\n`);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }

  const srv = await serve(['models:/iris@nobody', '--store', store, '--port', String(port)]).catch((e) => e);
  assert.ok(srv instanceof Error);
  assert.match(srv.message, /exited \(1\) before serving: mllab: error: cannot serve 'models:\/iris@nobody'/);

  const ok = await serve(['models:/iris/latest', '--port', '0', '--store', store]);
  assert.match(ok.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(ok.url, 'http://127.0.0.1:0');  // port 0 prints the port it got
  assert.equal((await fetch(ok.url + '/ping')).status, 200);
  ok.child.kill('SIGINT');
  const { code } = await ok.exit;
  assert.equal(code, 0, ok.io.err);
});

// Sends raw bytes on a new connection; resolves with the answer once the server closes the
// connection: {status, head, body, ms (until the answer's first bytes)}.
function rawExchange(port, text, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const start = performance.now();
    let data = '';
    let ms = null;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was not closed within ${timeoutMs} ms; received: ${data.slice(0, 200)}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d) => {
      if (ms === null) ms = performance.now() - start;
      data += d;
    });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('close', () => {
      clearTimeout(timer);
      const end = data.indexOf('\r\n\r\n');
      resolve({ status: Number(data.split(' ')[1]), head: data.slice(0, end), body: data.slice(end + 4), ms });
    });
  });
}

test('models serve holds under abuse: slow clients, 1000 concurrent requests, hostile bodies and headers', async () => {
  const srv = await serve(['models:/iris/1', '--port', '0', '--store', store]);
  const port = Number(new URL(srv.url).port);
  const slow = [];
  try {
    // What the batch command predicts for every iris row: the reference for the burst.
    const dataFile = path.join(store, 'all.csv');
    fs.writeFileSync(dataFile, csvOf(iris.rows.map((_, i) => i)));
    const batch = mllab(['models', 'predict', 'models:/iris/1', dataFile, '--store', store, '--json']);
    assert.equal(batch.code, 0, batch.err);
    const want = JSON.parse(batch.out).predictions;

    // 64 clients send their headers and part of a body, then stall.
    for (let i = 0; i < 64; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      await new Promise((resolve) => s.on('connect', resolve));
      s.write('POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"inputs": [');
      slow.push(s);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const times = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const res = await fetch(`${srv.url}/ping`);
      assert.equal(res.status, 200);
      await res.text();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`64 slow clients: /ping in ${times[2].toFixed(1)} ms (median of 5; slowest ${times[4].toFixed(1)} ms)`);
    // The bound issue 9 sets, on the median: one scheduling hiccup of a loaded machine does not
    // decide (before the fix /ping did not answer within 15 s).
    assert.ok(times[2] < 100, `/ping took ${times[2]} ms (median) with 64 slow clients`);

    // 1000 requests at once, each on its own connection.
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 1000 }, async (_, k) => {
      const rows = [k % 150, (k * 7) % 150];
      const body = { dataframe_split: { columns: iris.header, data: rows.map((i) => iris.rows[i]) } };
      const res = await fetch(`${srv.url}/invocations`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Connection: 'close' }, body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json(), want: rows.map((i) => want[i]) };
    }));
    const seconds = (performance.now() - started) / 1000;
    const right = answers.filter((a) => a.status === 200 && JSON.stringify(a.json.predictions) === JSON.stringify(a.want));
    console.log(`1000 concurrent /invocations: ${right.length} right in ${seconds.toFixed(2)} s (${(right.length / seconds).toFixed(0)} requests/s)`);
    assert.equal(right.length, 1000, JSON.stringify(answers.find((a) => !right.includes(a))));

    // A 60,000-level body (issue 9: SIGSEGV) and out-of-range numbers: 400 naming where.
    let r = await post(srv.url, `{"inputs": ${'['.repeat(60000)}${']'.repeat(60000)}}`, 'application/json');
    assert.equal(r.status, 400);
    assert.equal(r.json.error_code, 'BAD_REQUEST');
    assert.match(r.json.message, /^request body: JSON nests deeper than 128 levels at line 1, column \d+$/);
    r = await post(srv.url, `{"dataframe_split": {"columns": ${JSON.stringify(iris.header)}, "data": [[1e400, 1, 1, 1]]}}`, 'application/json');
    assert.equal(r.status, 400);
    assert.match(r.json.message, /number 1e400 at line 1, column \d+ \(field 'dataframe_split\.data\[0\]\[0\]'\) is out of range/);
    const records = [Object.fromEntries(iris.header.map((c, k) => [c, iris.rows[0][k]]))];
    records[0][iris.header[2]] = true;
    r = await post(srv.url, JSON.stringify({ dataframe_records: records }), 'application/json');
    assert.equal(r.status, 400);
    assert.equal(r.json.message, `dataframe_records: column '${iris.header[2]}' expects double, got boolean (true in row 1)`);

    // Content-Length: not a number, negative, too large (with a 2-byte body): answered at once,
    // the connection closed.
    for (const [length, status, message] of [
      ['abc', 400, "Content-Length 'abc' is not a number of bytes"],
      ['-1', 400, 'Content-Length -1 is negative'],
      ['10000000000', 413, 'the request body (Content-Length 10000000000) is larger than 67108864 bytes'],
    ]) {
      const a = await rawExchange(port, `POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{}`);
      assert.equal(a.status, status, a.head);
      assert.deepEqual(JSON.parse(a.body), { error_code: 'BAD_REQUEST', message });
      if (length === '10000000000') console.log(`Content-Length: 10000000000 with a 2-byte body: ${a.status} in ${a.ms.toFixed(1)} ms`);
    }

    // Still serving.
    r = await post(srv.url, JSON.stringify({ dataframe_split: { columns: iris.header, data: [iris.rows[77]] } }), 'application/json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.predictions, [want[77]]);
  } finally {
    for (const s of slow) s.destroy();
    srv.child.kill('SIGTERM');
  }
  const { code, signal } = await srv.exit;
  assert.equal(signal, null);
  assert.equal(code, 0, srv.io.err);
});
