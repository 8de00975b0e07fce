// The Runs workspace with 10,000 runs created through window.mllab.api (createRun, logBatch,
// updateRun): scrolling by the mouse wheel (frame rate printed), the filter typed after `/`,
// a bad filter's inline error, sorting by a header click, the column chooser, multi-select and
// Compare, rename / delete / restore of a run, and experiments created, renamed, deleted and
// restored — all through real clicks and keys. Runs against build-web/dist in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot } from './browser.mjs';

const N = Number(process.env.RUNS_N || 10000);
const T = { timeout: 120000 };
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

const api = (page, method, args) => page.evaluate(([m, a]) => window.mllab.api(m, a), [method, args]);
const search = (page, args) => api(page, 'searchRuns', args);

// Waits until uiState() satisfies `pred` (a function source over the state `s`).
async function until(page, pred, arg) {
  await page.waitForFunction(([p, a]) => new Function('s', 'a', `return (${p});`)(window.mllab.uiState(), a), [pred, arg],
    { timeout: 60000 });
  return ui(page);
}

// Replaces the text of the focused ImGui field.
async function retype(page, text) {
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await waitFrames(page, 2);
  if (text) await page.keyboard.type(text);
  await waitFrames(page, 3);
}

test(`creates ${N} runs through the JS API (createRun, logBatch, updateRun)`, { timeout: 900000 }, async () => {
  const { page } = app;
  const t0 = Date.now();
  const out = await page.evaluate(async (n) => {
    const api = window.mllab.api;
    const exps = [];
    for (const name of ['sweep-a', 'sweep-b', 'sweep-c']) exps.push((await api('createExperiment', { name })).experiment_id);
    const base = Date.UTC(2026, 0, 1);
    const parents = new Map();
    const CHUNK = 250;
    const groupsBefore = Module.mllabIdb.groups;
    for (let s = 0; s < n; s += CHUNK) {
      const idx = [];
      for (let i = s; i < Math.min(n, s + CHUNK); ++i) idx.push(i);
      // Runs i with i % 50 in 1..3 are nested under run i - i % 50 (CV folds), created after it.
      const create = (i) => {
        const tags = [{ key: 'team', value: i % 2 ? 'alpha' : 'beta' }];
        if (i % 50 >= 1 && i % 50 <= 3) tags.push({ key: 'mlflow.parentRunId', value: parents.get(i - (i % 50)) });
        return api('createRun', { experiment_id: exps[i % 3], run_name: `run-${i}`, start_time: base + i * 1000, tags });
      };
      // Parents first (their ids go into their children's tags), then everything else.
      const first = idx.filter((i) => i % 50 === 0);
      const rest = idx.filter((i) => i % 50 !== 0);
      const made = new Map();
      (await Promise.all(first.map(create))).forEach((r, k) => { made.set(first[k], r); parents.set(first[k], r.run_id); });
      (await Promise.all(rest.map(create))).forEach((r, k) => made.set(rest[k], r));
      const runs = idx.map((i) => made.get(i));
      await Promise.all(runs.map((r, k) => {
        const i = idx[k];
        const acc = ((i * 7919) % 1000) / 1000;
        return api('logBatch', {
          run_id: r.run_id,
          metrics: [{ key: 'accuracy', value: acc, timestamp: base + i * 1000, step: 0 },
            { key: 'f1_score', value: acc * 0.9, timestamp: base + i * 1000, step: 0 }],
          params: [{ key: 'model__n_estimators', value: String([50, 100, 200][i % 3]) },
            { key: 'model__max_depth', value: String((i % 5) + 1) }, { key: 'test_size', value: '0.2' }],
        });
      }));
      await Promise.all(runs.map((r, k) => api('updateRun', { run_id: r.run_id, status: 'FINISHED', end_time: base + idx[k] * 1000 + 1500 })));
    }
    await window.mllab.flush();
    return { exps, transactions: Module.mllabIdb.groups - groupsBefore };
  }, N);
  const seconds = (Date.now() - t0) / 1000;
  console.log(`created ${N} runs (createRun + logBatch + updateRun each) in ${seconds.toFixed(1)} s: ${(N / seconds).toFixed(0)} runs/s; ` +
    `${3 * N + 3} batches written in ${out.transactions} IndexedDB transactions`);
  assert.ok(out.transactions < N, 'batches pending together share a transaction');
  const all = await search(page, {});
  assert.equal(all.length, N);
  assert.equal(all.filter((r) => r.tags['mlflow.parentRunId']).length, (N / 50) * 3);
  assert.ok(all.every((r) => r.status === 'FINISHED'));
  // Durable: IndexedDB holds every run record.
  const stored = await page.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open('mllab', 1);
    req.onsuccess = () => {
      const tx = req.result.transaction('records', 'readonly');
      const c = tx.objectStore('records').count(IDBKeyRange.bound('runs/', 'runs/\uffff'));
      tx.oncomplete = () => { resolve(c.result); req.result.close(); };
    };
  }));
  assert.equal(stored, N);
});

test('the table scrolls by the mouse wheel; frame rate printed', T, async () => {
  const { page } = app;
  await click(page, 'tab:Runs');
  let s = await until(page, 's.runs_count === a', N);
  assert.equal(s.runs_rows.length, N - (N / 50) * 3, 'nested runs are folded under their parents');
  assert.ok(s.runs_columns.includes('params.model__n_estimators'), 'the varying param is a default column');
  assert.ok(s.runs_columns.includes('params.model__max_depth'));
  assert.ok(!s.runs_columns.includes('params.test_size'), 'a param equal in every run is not');
  const firstBefore = Object.keys(s.widgets).filter((k) => k.startsWith('run:'));
  const h = s.widgets['runs-header:Status'];
  await page.mouse.move(h.x + h.w / 2, h.y + 300);  // over the table's rows
  await page.evaluate(() => {
    window.__frames = 0;
    window.__counting = true;
    const tick = () => { if (window.__counting) { window.__frames++; requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
    window.__t0 = performance.now();
  });
  // Between wheel events, wait for the page to draw two frames (read from the rAF counter, not
  // uiState(), whose JSON of 10,000 ids would itself cost frames).
  for (let i = 0; i < 60; ++i) {
    const f = await page.evaluate(() => window.__frames);
    await page.mouse.wheel(0, 400);
    await page.waitForFunction((n) => window.__frames >= n + 2, f);
  }
  const { frames, ms } = await page.evaluate(() => {
    window.__counting = false;
    return { frames: window.__frames, ms: performance.now() - window.__t0 };
  });
  console.log(`scrolling ${N} runs by the mouse wheel: ${frames} frames in ${(ms / 1000).toFixed(2)} s = ${(frames * 1000 / ms).toFixed(1)} fps`);
  await waitFrames(page, 3);
  s = await ui(page);
  const firstAfter = Object.keys(s.widgets).filter((k) => k.startsWith('run:'));
  assert.notDeepEqual(firstAfter, firstBefore, 'other rows are on screen after scrolling');
  assert.ok(firstAfter.length < 100, `only the visible rows are drawn (${firstAfter.length})`);
  await screenshot(page, 'runs-10k-scrolled.png');
});

test('`/` focuses the filter; typing it limits the table to what searchRuns finds', T, async () => {
  const { page } = app;
  await click(page, 'tab:Data');
  await page.keyboard.press('/');
  let s = await until(page, 's.workspace === "Runs" && s.runs_filter_focused');
  assert.equal(s.runs_filter, '', 'the / itself is not typed into the box');
  await page.keyboard.type('metrics.accuracy > 0.5');
  s = await until(page, 's.runs_filter === a', 'metrics.accuracy > 0.5');
  const expected = await search(page, { filter: 'metrics.accuracy > 0.5' });
  assert.ok(expected.length > N / 4 && expected.length < N);
  assert.equal(s.runs_count, expected.length);
  assert.deepEqual(new Set(s.runs_order), new Set(expected.map((r) => r.run_id)));
  await screenshot(page, 'runs-filtered.png');
});

test('a bad filter shows its error inline, under the box', T, async () => {
  const { page } = app;
  await retype(page, 'metrics.accuracy >> 0.5');
  let s = await until(page, 's.runs_filter_error !== ""');
  assert.match(s.runs_filter_error, /position/);
  assert.ok(s.widgets['runs-filter-error'], 'the error is on screen');
  const f = s.widgets['runs-filter'], e = s.widgets['runs-filter-error'];
  assert.ok(e.y >= f.y + f.h - 1, 'under the box');
  await screenshot(page, 'runs-filter-error.png');
  await retype(page, 'metrics.accuracy > 0.5');
  s = await until(page, 's.runs_filter_error === "" && s.runs_count > 0');
});

test('clicking a metric header sorts by it (descending, then ascending)', T, async () => {
  const { page } = app;
  const runs = await search(page, { filter: 'metrics.accuracy > 0.5' });
  const acc = new Map(runs.map((r) => [r.run_id, r.metrics.accuracy]));
  const sorted = (ids, dir) => ids.every((id, i) => i === 0 || (dir < 0 ? acc.get(ids[i - 1]) >= acc.get(id) : acc.get(ids[i - 1]) <= acc.get(id)));
  await click(page, 'runs-header:accuracy');
  let s = await until(page, 's.runs_sort.column === "metrics.accuracy"');
  assert.equal(s.runs_sort.ascending, false);
  assert.ok(sorted(s.runs_order, -1), 'descending');
  assert.equal(acc.get(s.runs_order[0]), Math.max(...acc.values()));
  await click(page, 'runs-header:accuracy');
  s = await until(page, 's.runs_sort.ascending === true');
  assert.ok(sorted(s.runs_order, +1), 'ascending');
});

test('the column chooser adds a tag column', T, async () => {
  const { page } = app;
  await click(page, 'runs-columns');
  let s = await until(page, '!!s.widgets["runs-column:tags.team"]');
  assert.ok(s.widgets['runs-column:metrics.f1_score'] && s.widgets['runs-column:params.model__max_depth'], 'every key is listed');
  await screenshot(page, 'runs-column-chooser.png');
  await click(page, 'runs-column:tags.team');
  s = await until(page, 's.runs_columns.includes("tags.team")');
  await page.keyboard.press('Escape');
  s = await until(page, '!s.widgets["runs-column:tags.team"] && !!s.widgets["runs-header:team"]');
  await screenshot(page, 'runs-tag-column.png');
});

test('Ctrl+click and Shift+click select runs; Compare (N) opens the Compare workspace with them', T, async () => {
  const { page } = app;
  let s = await ui(page);
  const visible = s.runs_rows.filter((id) => !id.startsWith('experiment:'));
  const byId = new Map((await search(page, { filter: 'metrics.accuracy > 0.5' })).map((r) => [r.run_id, r]));
  const name = (i) => byId.get(visible[i]).run_name;
  await click(page, `run:${name(0)}`);
  await page.keyboard.down('Control');
  await click(page, `run:${name(2)}`);
  await page.keyboard.up('Control');
  s = await until(page, 's.runs_selected.length === 2');
  assert.deepEqual(new Set(s.runs_selected), new Set([visible[0], visible[2]]));
  await page.keyboard.down('Shift');
  await click(page, `run:${name(4)}`);
  await page.keyboard.up('Shift');
  s = await until(page, 's.runs_selected.length === 3');
  assert.deepEqual(new Set(s.runs_selected), new Set([visible[2], visible[3], visible[4]]), 'a range from the last clicked row');
  await page.keyboard.down('Control');
  await click(page, `run:${name(3)}`);
  await page.keyboard.up('Control');
  s = await until(page, 's.runs_selected.length === 2');
  await screenshot(page, 'runs-multiselect.png');
  await click(page, 'runs-compare');
  s = await until(page, 's.workspace === "Compare"');
  assert.deepEqual(new Set(s.compare_runs), new Set([visible[2], visible[4]]));
  await click(page, 'tab:Runs');
});

test('a run is renamed, deleted and restored from the table', T, async () => {
  const { page } = app;
  let s = await ui(page);
  const id = s.runs_rows.find((x) => !x.startsWith('experiment:'));
  const run = (await search(page, { filter: `attributes.run_id = '${id}'` }))[0];
  await click(page, `run:${run.run_name}`);
  await click(page, 'runs-rename');
  s = await until(page, 's.runs_rename_open && !!s.widgets["runs-rename-input"]');
  await screenshot(page, 'runs-rename.png');
  await retype(page, 'renamed-by-e2e');
  await page.keyboard.press('Enter');
  s = await until(page, '!s.runs_rename_open && !!s.widgets["run:renamed-by-e2e"]');
  const renamed = await api(page, 'searchRuns', { filter: "attributes.run_name = 'renamed-by-e2e'" });
  assert.deepEqual(renamed.map((r) => r.run_id), [id]);
  assert.equal(renamed[0].tags['mlflow.runName'], 'renamed-by-e2e');

  await click(page, 'run:renamed-by-e2e');
  await click(page, 'runs-delete');
  s = await until(page, '!s.runs_order.includes(a)', id);
  const deleted = await search(page, { view_type: 'deleted_only' });
  assert.deepEqual(deleted.map((r) => r.run_id), [id]);
  await click(page, 'runs-show-deleted');
  s = await until(page, 's.runs_order.includes(a) && !!s.widgets["run:renamed-by-e2e"]', id);
  await screenshot(page, 'runs-show-deleted.png');
  await click(page, 'run:renamed-by-e2e');
  await click(page, 'runs-restore');
  assert.equal((await search(page, { view_type: 'deleted_only' })).length, 0, 'restored');
  await click(page, 'runs-show-deleted');
  s = await until(page, 's.runs_order.includes(a) && !s.runs_show_deleted', id);
});

test('experiments: created, chosen (limits the table), renamed, deleted and restored', T, async () => {
  const { page } = app;
  // Choosing an experiment limits the table.
  await click(page, 'exp:sweep-b');
  const inB = await search(page, { experiment_names: ['sweep-b'], filter: 'metrics.accuracy > 0.5' });
  let s = await until(page, 's.runs_count === a', inB.length);
  assert.equal(s.experiments.find((e) => e.name === 'sweep-b').runs, (await search(page, { experiment_names: ['sweep-b'] })).length, 'run counts are listed');
  await click(page, 'runs-group');
  s = await until(page, 's.runs_group_by_experiment && s.runs_rows[0] && s.runs_rows[0].startsWith("experiment:")');
  await screenshot(page, 'runs-grouped.png');
  await click(page, 'runs-group');

  await click(page, 'exp-new-name');
  await page.keyboard.type('made-in-e2e');
  await click(page, 'exp-create');
  s = await until(page, 's.experiments.some((e) => e.name === "made-in-e2e")');
  let exps = await api(page, 'listExperiments', {});
  const made = exps.find((e) => e.name === 'made-in-e2e');
  assert.ok(made);
  s = await until(page, 's.runs_count === 0 && s.runs_rows.length === 0');
  // The same name again is refused, inline.
  await click(page, 'exp-new-name');
  await page.keyboard.type('made-in-e2e');
  await click(page, 'exp-create');
  s = await until(page, 's.experiment_error.includes("already exists")');

  await click(page, 'exp-rename');
  s = await until(page, '!!s.widgets["exp-rename-input"]');
  await retype(page, 'renamed-exp');
  await page.keyboard.press('Enter');
  s = await until(page, 's.experiments.some((e) => e.name === "renamed-exp")');
  exps = await api(page, 'listExperiments', {});
  assert.equal(exps.find((e) => e.experiment_id === made.experiment_id).name, 'renamed-exp');

  await click(page, 'exp:renamed-exp');
  await click(page, 'exp-delete');
  s = await until(page, '!s.experiments.some((e) => e.name === "renamed-exp")');
  exps = await api(page, 'listExperiments', { view_type: 'deleted_only' });
  assert.deepEqual(exps.map((e) => e.name), ['renamed-exp']);
  await click(page, 'exp-show-deleted');
  s = await until(page, 's.experiments.some((e) => e.name === "renamed-exp" && e.lifecycle_stage === "deleted")');
  await click(page, 'exp:renamed-exp');
  await screenshot(page, 'experiments-deleted.png');
  await click(page, 'exp-restore');
  s = await until(page, 's.experiments.some((e) => e.name === "renamed-exp" && e.lifecycle_stage === "active")');
  assert.equal((await api(page, 'listExperiments', { view_type: 'deleted_only' })).length, 0);
  await click(page, 'exp:All');
  s = await until(page, 's.runs_count > a', N / 4);
  await screenshot(page, 'runs-experiments.png');
});
