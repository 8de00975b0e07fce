// Shared helpers of the browser tests: serve the built app, launch Debian's Chromium with a
// persistent profile (so IndexedDB survives reloads and restarts), click ImGui widgets.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'build-web/dist');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-unsafe-swiftshader'];

export async function startServer() { return serve(DIST, 0); }
// The Chromium flags openApp uses, for tests that launch their own browser.
export const CHROMIUM_FLAGS = FLAGS;

export function newProfileDir() { return fs.mkdtempSync(path.join(os.tmpdir(), 'mllab-profile-')); }

// Opens the app in a browser using `profile`; returns {context, page, errors}. `options` adds
// to Playwright's launch options (e.g. {deviceScaleFactor: 2, acceptDownloads: true}).
export async function openApp(url, profile, options = {}) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS,
    viewport: { width: 1400, height: 860 }, ...options,
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.evaluate(() => window.mllab.ready());
  await waitFrames(page, 3);
  return { context, page, errors };
}

// Waits until the app has drawn `n` more frames (widget rectangles are then current).
export async function waitFrames(page, n = 2) {
  const start = (await ui(page)).frame;
  await page.waitForFunction((s) => window.mllab.uiState().frame >= s, start + n);
}

export async function ui(page) { return page.evaluate(() => window.mllab.uiState()); }

// Clicks the centre of a named widget with the mouse.
export async function click(page, name) {
  await waitFrames(page);
  const w = (await ui(page)).widgets[name];
  if (!w) throw new Error(`widget '${name}' is not on screen`);
  // Like a person: move, press, release, each seen by at least one frame (a press and release
  // between two frames is lost on ImGui 1.86, which polls the mouse once per frame).
  await page.mouse.move(w.x + w.w / 2, w.y + w.h / 2);
  await waitFrames(page, 1);
  await page.mouse.down();
  await waitFrames(page, 1);
  await page.mouse.up();
  await waitFrames(page, 3);
}

// Clicks near the left edge of a widget (the text box of a labelled input, not its label).
export async function clickField(page, name) {
  await waitFrames(page);
  const w = (await ui(page)).widgets[name];
  if (!w) throw new Error(`widget '${name}' is not on screen`);
  await page.mouse.move(w.x + 12, w.y + w.h / 2);
  await waitFrames(page, 1);
  await page.mouse.down();
  await waitFrames(page, 1);
  await page.mouse.up();
  await waitFrames(page, 3);
}

// Types `text` into a named ImGui field by keyboard, first replacing its text when `clear`.
// The field is active a frame after the click; keys are queued and trickled frame by frame
// (src/app/input/trickle.hpp), so a burst is never lost.
export async function typeInto(page, name, text, { clear = false } = {}) {
  await click(page, name);
  await waitFrames(page, 2);
  if (clear) {
    await page.keyboard.press('Control+A');
    await waitFrames(page, 2);
    await page.keyboard.press('Delete');
    await waitFrames(page, 1);
  }
  await page.keyboard.type(text);
  await waitFrames(page, 3);
}

// Opens a combo and clicks one of its items.
export async function pick(page, combo, item) {
  await click(page, combo);
  await click(page, item);
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}

// Every record in the page's IndexedDB, read directly (not through the app).
export async function idbRecords(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('mllab', 1);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const tx = req.result.transaction('records', 'readonly');
      const keys = tx.objectStore('records').getAllKeys();
      tx.oncomplete = () => { resolve(keys.result); req.result.close(); };
    };
  }));
}
