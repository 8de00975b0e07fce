// The pipeline builder by clicks and keys: the starting spec a dataset gets, adding, moving and
// removing steps, a parameter typed into its form, the JSON tab editing the same spec both
// ways (copy and paste with the system clipboard, a bad edit shown inline, Train disabled),
// saving and loading a spec file, Ctrl+Enter, a burst of keys between two frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, newProfileDir, openApp, click, ui, waitFrames, screenshot, clickField } from './browser.mjs';

let server, app;
before(async () => {
  const s = await startServer();
  server = s.server;
  app = await openApp(s.url, newProfileDir());
  await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
});
after(async () => {
  if (app) await app.context.close();
  server.close();
});

const spec = async (page) => (await ui(page)).pipeline_spec;

// A modifier chord held over frames, as a person presses it.
async function chord(page, modifier, key) {
  await page.keyboard.down(modifier);
  await page.keyboard.press(key);
  await page.keyboard.up(modifier);
}
// Selects the focused field's text and pastes `text` over it from the system clipboard.
async function pasteOver(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await chord(page, 'Control', 'a');
  await chord(page, 'Control', 'v');
  await waitFrames(page, 6);
}
const names = (s) => s.steps.map((st) => `${st.name}:${st.type}`);

test('a dataset starts as a ColumnTransformer by column type; steps are added, moved and removed', async () => {
  const { page } = app;
  await click(page, 'tab:Train');
  await click(page, 'dataset:sentiment');
  let s = await spec(page);
  assert.deepEqual(names(s), ['tfidf_text:TfidfVectorizer', 'onehot:OneHotEncoder', 'scaler:StandardScaler', 'model:LogisticRegression']);
  assert.deepEqual(s.steps[0].columns, ['text']);
  assert.equal(s.steps[0].params.max_features, 1000);
  assert.equal(s.steps[2].params.with_mean, false, 'sparse features: the scaler does not center');
  assert.equal(s.dataset.path, 'assets/datasets/sentiment.csv');
  assert.equal(s.split.test_size, 0.2);

  // Add a MinMaxScaler on the feature matrix: it goes right before the estimator.
  await click(page, 'add-step');
  await click(page, 'add-step:MinMaxScaler');
  s = await spec(page);
  assert.deepEqual(names(s).slice(-3), ['scaler:StandardScaler', 'minmaxscaler:MinMaxScaler', 'model:LogisticRegression']);
  // Up: before the StandardScaler; up again is refused (column steps come first).
  await click(page, 'step-up:minmaxscaler');
  s = await spec(page);
  assert.deepEqual(names(s).slice(2, 4), ['minmaxscaler:MinMaxScaler', 'scaler:StandardScaler']);
  await click(page, 'step-up:minmaxscaler');
  assert.deepEqual(names(await spec(page)).slice(2, 4), ['minmaxscaler:MinMaxScaler', 'scaler:StandardScaler']);
  await screenshot(page, 'pipeline-steps.png');
  await click(page, 'step-remove:minmaxscaler');
  assert.deepEqual(names(await spec(page)), ['tfidf_text:TfidfVectorizer', 'onehot:OneHotEncoder', 'scaler:StandardScaler', 'model:LogisticRegression']);
  assert.equal((await ui(page)).pipeline_error, '');
});

test('the course model: RandomForest with n_estimators typed into its form, trained with Ctrl+Enter', async () => {
  const { page } = app;
  await click(page, 'estimator-combo');
  await click(page, 'estimator:RandomForestClassifier');
  await clickField(page, 'param-n_estimators');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('50');
  await page.keyboard.press('Tab');
  await waitFrames(page, 3);
  let s = await spec(page);
  assert.equal(s.steps.at(-1).type, 'RandomForestClassifier');
  assert.equal(s.steps.at(-1).params.n_estimators, 50);
  await click(page, 'run-name');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('rf-50-by-keys');
  await waitFrames(page, 2);
  // Hover a parameter: its help names the default and the bounds.
  const w = (await ui(page)).widgets['param-n_estimators'];
  await page.mouse.move(w.x + 12, w.y + w.h / 2);
  await waitFrames(page, 40);
  await screenshot(page, 'pipeline-param-help.png');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => window.mllab.listRuns().some((r) => r.run_name === 'rf-50-by-keys' && r.status !== 'RUNNING'), null, { timeout: 120000 });
  const run = (await page.evaluate(() => window.mllab.listRuns())).find((r) => r.run_name === 'rf-50-by-keys');
  assert.equal(run.status, 'FINISHED', JSON.stringify(run.tags));
  assert.equal(run.params.model__n_estimators, '50');
  assert.equal(run.params.scaler__with_mean, 'False');
  assert.match(run.params.steps, /tfidf_text:TfidfVectorizer/);
});

test('the JSON tab edits the same spec both ways (copied out, pasted in); an invalid edit is shown and blocks Train', async () => {
  const { page } = app;
  const current = await spec(page);
  // A short spec (parameters left to their defaults), typed into the editor.
  const edited = {
    schema: 'mllab.pipeline', schema_version: 1, experiment: 'Default', run_name: 'from-json',
    dataset: current.dataset, split: { test_size: 0.25, random_state: 7, stratify: true },
    steps: [
      { name: 'tfidf_text', type: 'TfidfVectorizer', columns: ['text'], params: { max_features: 500 } },
      { name: 'model', type: 'RandomForestClassifier', params: { n_estimator: 75 } },
    ],
  };
  await click(page, 'tab-json');
  await click(page, 'spec-json');
  // Copy: Ctrl+A, Ctrl+C puts the editor's text on the system clipboard.
  await chord(page, 'Control', 'a');
  await chord(page, 'Control', 'c');
  await waitFrames(page, 4);
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  assert.deepEqual(copied, current, 'the copied text is the spec shown');
  // A typo in a parameter name, pasted over it (Ctrl+V from the system clipboard): the error
  // names it, the spec keeps its last valid state.
  await pasteOver(page, JSON.stringify(edited, null, 2));
  let state = await ui(page);
  assert.match(state.pipeline_json_error, /unknown parameter 'n_estimator'/);
  assert.deepEqual(state.pipeline_spec, current);
  assert.ok(state.widgets['json-error'], 'the error is drawn above the editor');
  await screenshot(page, 'pipeline-json-error.png');
  await page.keyboard.press('Control+Enter');
  await waitFrames(page, 10);
  assert.ok(!(await page.evaluate(() => window.mllab.listRuns())).some((r) => r.run_name === 'from-json'), 'no run while the JSON is invalid');
  // The corrected text is the spec: the form shows its steps and values.
  edited.steps[1].params = { n_estimators: 75 };
  await click(page, 'spec-json');
  await pasteOver(page, JSON.stringify(edited));
  state = await ui(page);
  assert.equal(state.pipeline_json_error, '');
  assert.equal(state.pipeline_spec.run_name, 'from-json');
  assert.equal(state.pipeline_spec.split.random_state, 7);
  assert.deepEqual(names(state.pipeline_spec), ['tfidf_text:TfidfVectorizer', 'model:RandomForestClassifier']);
  await click(page, 'tab-form');
  state = await ui(page);
  assert.equal(state.pipeline_spec.steps.at(-1).params.n_estimators, 75);
  assert.ok(state.widgets['step:tfidf_text'] && !state.widgets['step:scaler'], 'the form shows the JSON\'s steps');
});

test('save a spec as a file and load one back from a file', async () => {
  const { page } = app;
  const download = page.waitForEvent('download');
  await click(page, 'save-spec');
  const file = await (await download).path();
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(saved, await spec(page));
  assert.equal(saved.schema, 'mllab.pipeline');

  // Loading the course's grid-search example selects its dataset and adopts it whole.
  const example = path.join(ROOT, 'examples/breast-cancer-grid-search.json');
  let chooser = page.waitForEvent('filechooser');
  await click(page, 'load-spec');
  await (await chooser).setFiles(example);
  await page.waitForFunction(() => window.mllab.uiState().dataset === 'assets/datasets/breast_cancer.csv');
  await waitFrames(page, 3);
  const s = await spec(page);
  const want = JSON.parse(fs.readFileSync(example, 'utf8'));
  assert.equal(s.run_name, want.run_name);
  assert.deepEqual(s.search.param_grid, want.search.param_grid);
  assert.deepEqual(names(s), want.steps.map((st) => `${st.name}:${st.type}`));

  // A broken file: the banner names it; the spec is unchanged.
  const bad = path.join(path.dirname(file), 'broken-spec.json');
  fs.writeFileSync(bad, '{"schema": "mllab.pipeline", "schema_version": 1, "steps": [}');
  chooser = page.waitForEvent('filechooser');
  await click(page, 'load-spec');
  await (await chooser).setFiles(bad);
  await page.waitForFunction(() => window.mllab.uiState().errors.length > 0);
  const state = await ui(page);
  assert.match(state.errors.at(-1), /Spec file 'broken-spec\.json': .*line 1/);
  assert.deepEqual(state.pipeline_spec, s);
  await screenshot(page, 'pipeline-loaded.png');
  assert.deepEqual(app.errors, []);
});

// Keys that all arrive between two frames (a slow frame, a busy machine, a fast typist) are
// each seen, in order: the browser's key events dispatched in one task, as Chromium delivers a
// burst. Dear ImGui 1.86 reads keys once per frame, so before input trickling Ctrl+A and the
// Backspaces of this burst were lost and the text came out appended ("…burstn").
test('a burst of keys between two frames: every key seen, in order', async () => {
  const { page } = app;
  await click(page, 'tab:Train');
  await click(page, 'run-name');
  await waitFrames(page, 2);
  await page.evaluate(() => {  // one task: no frame can come between these events
    const send = (type, keyCode, charCode = 0) => {
      const e = new KeyboardEvent(type, { bubbles: true, cancelable: true });
      Object.defineProperty(e, 'keyCode', { get: () => keyCode });
      Object.defineProperty(e, 'charCode', { get: () => charCode });
      window.dispatchEvent(e);
    };
    const tap = (keyCode, charCode = 0) => {
      send('keydown', keyCode);
      if (charCode) send('keypress', keyCode, charCode);
      send('keyup', keyCode);
    };
    send('keydown', 17); tap(65); send('keyup', 17);          // Ctrl+A: select all
    tap(8);                                                    // Backspace: delete it
    for (const c of 'burst') tap(c.toUpperCase().charCodeAt(0), c.charCodeAt(0));
    tap(8); tap(8);                                            // "bur"
    tap(78, 'n'.charCodeAt(0));                                // "burn"
  });
  await waitFrames(page, 20);
  assert.equal((await spec(page)).run_name, 'burn');
});
