// Browser storage faults: two tabs of one profile training at once (every run survives, each tab
// sees the other's runs without a reload), IndexedDB quota exceeded (the user is told what failed
// and how much space is used; what was stored before survives a reload), and a reload in the
// middle of a training job (no run stays RUNNING). Runs against build-web/dist in Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, idbRecords } from './browser.mjs';

let server, url;
before(async () => { ({ server, url } = await startServer()); });
after(() => server.close());

const logreg = (name, dataset = 'iris') => ({
  schema: 'mllab.pipeline', schema_version: 1, run_name: name,
  dataset: { path: `assets/datasets/${dataset}.csv`, target: 'target' },
  split: { test_size: 0.25, random_state: 1, stratify: true },
  steps: [{ name: 'scaler', type: 'StandardScaler' }, { name: 'model', type: 'LogisticRegression', params: { max_iter: 200 } }],
});

// Opens the app once more in the same browser (same profile), in a window of its own (a tab
// behind another draws about one frame a second in headless Chromium, and a job advances one
// stage per frame); noopener: its own browsing context group, like a tab the user opened.
async function openTab(context, opener) {
  const pageEvent = context.waitForEvent('page');
  await opener.evaluate((u) => { window.open(u, '_blank', 'popup,noopener,width=1400,height=860'); }, url);
  const page = await pageEvent;
  await page.waitForFunction(() => window.mllab !== undefined);
  await page.evaluate(() => window.mllab.ready());
  await waitFrames(page, 2);
  return page;
}
const runIds = (runs) => runs.map((r) => r.run_id).sort();
const storedRunIds = async (page) => (await idbRecords(page)).filter((k) => k.startsWith('runs/')).map((k) => k.slice(5)).sort();

test('two tabs on one profile both train: every run survives and each tab sees the other\'s runs', async () => {
  const app = await openApp(url, newProfileDir());
  try {
    const a = app.page;
    const b = await openTab(app.context, a);
    assert.notEqual(await a.evaluate(() => window.mllab.sessionId()), await b.evaluate(() => window.mllab.sessionId()));
    // Both tabs train at the same time, several runs each (their batches interleave in IndexedDB).
    const train = (page, prefix) => page.evaluate(async (p) => {
      const specs = [0, 1, 2].map((i) => ({ ...p.spec, run_name: `${p.prefix}-${i}`, evaluate: { cv: 3 } }));
      return Promise.all(specs.map((s) => window.mllab.runPipeline(s)));
    }, { spec: logreg('x'), prefix });
    const [runsA, runsB] = await Promise.all([train(a, 'tab-a'), train(b, 'tab-b')]);
    const mine = runIds([...runsA, ...runsB]);
    assert.equal(mine.length, 6);
    for (const r of [...runsA, ...runsB]) assert.equal(r.status, 'FINISHED');

    // Durable: every parent run and its cross-validation children are in IndexedDB.
    await Promise.all([a.evaluate(() => window.mllab.flush()), b.evaluate(() => window.mllab.flush())]);
    const stored = await storedRunIds(a);
    for (const id of mine) assert.ok(stored.includes(id), `run ${id} is in IndexedDB`);
    assert.equal(stored.length, 6 * 4, 'each run with its 3 fold runs');

    // Without a reload, each tab lists every run of both (the other's arrive over BroadcastChannel),
    // in the API and in the Runs panel.
    for (const page of [a, b]) {
      await click(page, 'tab:Runs');
      await page.waitForFunction((n) => window.mllab.listRuns().length === n, stored.length);
      assert.deepEqual(runIds(await page.evaluate(() => window.mllab.listRuns())), stored);
      await page.waitForFunction((ids) => ids.every((id) => window.mllab.uiState().runs_order.includes(id)), mine);
    }
    await waitFrames(b, 3);
    await screenshot(b, 'storage-two-tabs.png');
  } finally {
    await app.context.close();
  }
});

test('quota exceeded: the user sees what failed and the space used; what was stored before survives', async () => {
  const app = await openApp(url, newProfileDir());
  try {
    const { page, context } = app;
    // A small quota, set before the first write (Chromium reads an origin's quota for IndexedDB
    // when it first writes, and keeps it): room for a few runs, then a commit fails.
    const usage = await page.evaluate(() => navigator.storage.estimate().then((e) => e.usage));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: usage + 150 * 1024 });
    const first = await page.evaluate((s) => window.mllab.runPipeline(s), logreg('kept-run'));
    assert.equal(first.status, 'FINISHED');
    const storedBefore = await idbRecords(page);
    let failure = null;
    const finished = [];
    for (let i = 0; i < 40 && !failure; ++i) {
      const r = await page.evaluate((s) => window.mllab.runPipeline(s).then((run) => ({ run }), (e) => ({ error: e.message, run: e.run })),
        { ...logreg(`filler-${i}`, 'breast_cancer') });
      if (r.error) failure = r;
      else finished.push(r.run);
    }
    assert.ok(failure, 'a commit failed once the quota was reached');
    assert.match(failure.error, /^Saving run 'filler-\d+' \([0-9a-f]{8}\) failed and was rolled back: QuotaExceededError.*; storage used [\d.]+ [KMG]B of [\d.]+ [KMG]B$/);
    await waitFrames(page, 3);
    const state = await ui(page);
    assert.match(state.storage_error, /QuotaExceededError.*storage used/);
    const shot = await screenshot(page, 'storage-quota.png');
    assert.ok(shot);

    // Memory agrees with IndexedDB: every run the tab lists is stored, and vice versa.
    await page.evaluate(() => window.mllab.flush());
    const listed = runIds(await page.evaluate(() => window.mllab.listRuns()));
    const stored = await storedRunIds(page);
    assert.deepEqual(listed, stored);

    // After a reload: everything stored before is intact, and no run is left RUNNING.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin });
    await page.reload();
    await page.evaluate(() => window.mllab.ready());
    const after = await idbRecords(page);
    for (const k of storedBefore) assert.ok(after.includes(k), `record ${k} survived`);
    const kept = await page.evaluate((id) => window.mllab.getRun(id), first.run_id);
    assert.equal(kept.status, 'FINISHED');
    assert.deepEqual(kept.metrics, first.metrics);
    for (const r of finished) {
      assert.equal((await page.evaluate((id) => window.mllab.getRun(id), r.run_id)).status, 'FINISHED');
    }
    await page.waitForFunction(() => window.mllab.listRuns().every((r) => r.status !== 'RUNNING'));
    if (failure.run) {
      const failed = (await page.evaluate(() => window.mllab.listRuns())).find((r) => r.run_id === failure.run.run_id);
      if (failed) assert.ok(['FAILED', 'KILLED'].includes(failed.status), `the failed run is ${failed.status}`);
    }
  } finally {
    await app.context.close();
  }
});

test('a reload in the middle of a training job leaves no run RUNNING: the interrupted one is KILLED', async () => {
  const app = await openApp(url, newProfileDir());
  try {
    const { page } = app;
    const oldSession = await page.evaluate(() => window.mllab.sessionId());
    // A long grid search (50 forest fits; the page gives the job 10 ms a frame), so it is still
    // running when the page reloads.
    const base = logreg('interrupted', 'breast_cancer');
    const spec = {
      ...base,
      steps: base.steps.map((st) => (st.name === 'model' ? { name: 'model', type: 'RandomForestClassifier', params: { n_estimators: 200 } } : st)),
      search: { type: 'grid', param_grid: { model__max_depth: [2, 3, 4, 5, 6, 7, 8, 9, 10, 12] }, cv: 5 },
    };
    await page.evaluate((s) => { window.mllab.runPipeline(s).catch(() => {}); }, spec);
    await page.waitForFunction(() => window.mllab.listRuns().some((r) => r.run_name === 'interrupted' && r.status === 'RUNNING'));
    await page.evaluate(() => window.mllab.flush());
    const running = (await page.evaluate(() => window.mllab.listRuns())).find((r) => r.run_name === 'interrupted');
    assert.equal(running.tags['mllab.owner.session'], oldSession);

    await page.reload();
    await page.evaluate(() => window.mllab.ready());
    assert.notEqual(await page.evaluate(() => window.mllab.sessionId()), oldSession);
    await page.waitForFunction((id) => window.mllab.getRun(id).status !== 'RUNNING', running.run_id);
    const killed = await page.evaluate((id) => window.mllab.getRun(id), running.run_id);
    assert.equal(killed.status, 'KILLED');
    assert.match(killed.tags['mllab.killed_reason'], /^the browser page that ran it \(session [0-9a-f]{8}\) was closed or reloaded$/);
    assert.ok(killed.end_time >= killed.start_time);
    assert.ok((await page.evaluate(() => window.mllab.listRuns())).every((r) => r.status !== 'RUNNING'));
    // Durable: a second reload reads KILLED from IndexedDB.
    await page.evaluate(() => window.mllab.flush());
    await page.reload();
    await page.evaluate(() => window.mllab.ready());
    assert.equal((await page.evaluate((id) => window.mllab.getRun(id), running.run_id)).status, 'KILLED');
    await waitFrames(page, 3);
    await screenshot(page, 'storage-reload-killed.png');
  } finally {
    await app.context.close();
  }
});
