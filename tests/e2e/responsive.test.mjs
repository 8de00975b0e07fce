// Training never blocks a frame: while RandomForestClassifier(n_estimators=300) trains on
// birdstrikes through window.mllab.runPipeline, the page keeps drawing (frames counted with
// requestAnimationFrame; the figures are printed, not asserted: the machine is shared) and the
// UI stays usable (a workspace tab is clicked and the Runs list read meanwhile).
// Runs against build-web/dist in Debian's headless Chromium (software WebGL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot } from './browser.mjs';

let server, url;
before(async () => { ({ server, url } = await startServer()); });
after(() => server.close());

const birdstrikesForest = (trees) => ({
  schema: 'mllab.pipeline', schema_version: 1, experiment: 'birdstrikes', run_name: `forest-${trees}`,
  dataset: { path: 'assets/datasets/birdstrikes.csv', target: 'Effect Amount of damage' },
  split: { test_size: 0.2, random_state: 42, stratify: false },
  steps: [
    { name: 'cats', type: 'OneHotEncoder', columns: ['Wildlife Size', 'Phase of flight', 'Time of day'], params: { handle_unknown: 'ignore' } },
    { name: 'speed', type: 'SimpleImputer', columns: ['Speed IAS in knots'], params: { strategy: 'median' } },
    { name: 'model', type: 'RandomForestClassifier', params: { n_estimators: trees, random_state: 0 } },
  ],
});

const quick = {
  schema: 'mllab.pipeline', schema_version: 1, run_name: 'quick-iris',
  dataset: { path: 'assets/datasets/iris.csv', target: 'target' },
  split: { test_size: 0.25, random_state: 1, stratify: true },
  steps: [{ name: 'scaler', type: 'StandardScaler' }, { name: 'model', type: 'LogisticRegression', params: { max_iter: 200 } }],
};

// Frame figures from rAF timestamps: frames per second and the longest gap between frames.
const figures = (t) => {
  let longest = 0;
  for (let i = 1; i < t.length; ++i) longest = Math.max(longest, t[i] - t[i - 1]);
  const seconds = (t[t.length - 1] - t[0]) / 1000;
  return { frames: t.length, seconds, fps: (t.length - 1) / seconds, longest_ms: longest };
};

test('RandomForest(300) on birdstrikes trains while the page keeps drawing and stays usable', { timeout: 900_000 }, async () => {
  const app = await openApp(url, newProfileDir());
  try {
    const { page } = app;
    const quickRun = await page.evaluate((s) => window.mllab.runPipeline(s), quick);
    assert.equal(quickRun.status, 'FINISHED');
    await waitFrames(page, 3);

    // Idle: 120 frames.
    const idle = figures(await page.evaluate(() => new Promise((resolve) => {
      const t = [];
      const tick = (now) => { t.push(now); if (t.length < 120) requestAnimationFrame(tick); else resolve(t); };
      requestAnimationFrame(tick);
    })));

    // Training: every frame from the start of runPipeline to its result, with the job's
    // progress and stage every 10th frame.
    await page.evaluate((spec) => {
      window.__t = [];
      window.__samples = [];
      window.__training = true;
      const tick = (now) => {
        window.__t.push(now);
        if (window.__t.length % 10 === 0) {
          const j = window.mllab.uiState().job;
          if (j && !j.done) window.__samples.push({ p: j.progress, stage: j.stage, eta: j.eta_seconds });
        }
        if (window.__training) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      window.__result = window.mllab.runPipeline(spec).then(
        (run) => { window.__training = false; return { run }; },
        (e) => { window.__training = false; return { error: e.message }; });
    }, birdstrikesForest(300));

    // Meanwhile the UI works: once trees are growing, switch to the Runs workspace by a click
    // and read the runs there.
    await page.waitForFunction(() => / tree \d+\/300/.test((window.mllab.uiState().job || {}).stage || ''), null, { timeout: 300_000 });
    await click(page, 'tab:Runs');
    const during = await ui(page);
    assert.equal(during.workspace, 'Runs');
    assert.ok(during.job && !during.job.done, 'the workspace switch happened while the forest was training');
    assert.ok(during.widgets['run:quick-iris'], 'the finished run is listed in the Runs table');
    assert.ok(during.widgets['job-progress'], 'the job progress bar is on screen');
    assert.ok(during.runs_order.includes(quickRun.run_id));
    const listed = await page.evaluate(() => window.mllab.listRuns());
    const running = listed.find((r) => r.run_name === 'forest-300');
    assert.ok(running, 'the training run is listed while it trains');
    assert.equal(running.status, 'RUNNING');
    await screenshot(page, 'responsive-training.png');
    await click(page, 'tab:Train');
    assert.equal((await ui(page)).workspace, 'Train');

    await page.waitForFunction(() => window.__training === false, null, { timeout: 600_000 });
    const result = await page.evaluate(() => window.__result);
    const training = figures(await page.evaluate(() => window.__t));
    const samples = await page.evaluate(() => window.__samples);
    const after = await ui(page);
    console.log(`idle: ${idle.fps.toFixed(1)} fps over ${idle.frames} frames, longest frame ${idle.longest_ms.toFixed(1)} ms`);
    console.log(`training RF(300) on birdstrikes: ${training.fps.toFixed(1)} fps over ${training.seconds.toFixed(1)} s ` +
      `(${training.frames} frames), longest frame ${training.longest_ms.toFixed(1)} ms`);
    console.log(`the frame's own work (events, ImGui, drawing; smoothed): ${after.frame_work_ms.toFixed(1)} ms; pictures drawn: ${after.frames_drawn}`);
    console.log(`longest unit of work: ${after.job.longest_unit_ms.toFixed(1)} ms (${after.job.longest_unit}); ` +
      `last job slice ${after.job_slice_ms.toFixed(1)} ms`);
    console.log(`stages seen: ${[...new Set(samples.map((s) => s.stage.replace(/\d+\//, 'N/')))].join(' | ')}`);

    assert.ok(!result.error, result.error);
    const run = result.run;
    assert.equal(run.status, 'FINISHED');
    assert.equal(run.tags['mllab.model_trees'], '300');
    assert.ok(run.metrics.accuracy > 0.5 && run.metrics.accuracy <= 1, `accuracy ${run.metrics.accuracy}`);
    assert.ok(Number.isFinite(run.metrics.log_loss) && run.metrics.log_loss > 0);
    assert.ok(run.metrics.train_accuracy >= run.metrics.accuracy - 0.05);
    // Progress moved in small steps and never back; the stage named the tree being grown.
    assert.ok(samples.length >= 10, `${samples.length} progress samples`);
    let jump = 0;
    for (let i = 1; i < samples.length; ++i) {
      assert.ok(samples[i].p >= samples[i - 1].p, `progress ${samples[i - 1].p} -> ${samples[i].p}`);
      jump = Math.max(jump, samples[i].p - samples[i - 1].p);
    }
    console.log(`largest progress step between samples: ${jump.toFixed(3)}`);
    assert.ok(samples.some((s) => /^fitting · tree \d+\/300$/.test(s.stage)), 'the stage names the tree');
    assert.ok(samples.some((s) => s.eta > 0), 'an estimate of the time left is shown');
    assert.deepEqual(app.errors, []);
  } finally {
    await app.context.close();
  }
});
