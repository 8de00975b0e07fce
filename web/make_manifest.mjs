// Writes the static site's build manifest: DIST/build.json (each file's SHA-256 and size, and the
// build's version, a digest of them) and DIST/sw.js (the service worker web/sw.js, prefixed with
// the manifest, so a new build is a new worker). Run by the build after linking (cmake/web_app.cmake):
//   node web/make_manifest.mjs DIST web/sw.js
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [dist, template] = process.argv.slice(2);
if (!dist || !template) {
  console.error('usage: node make_manifest.mjs DIST SW_TEMPLATE');
  process.exit(2);
}
// What the worker precaches: the page, the module and the virtual file system (built-in
// datasets and fonts). build.json and sw.js themselves are never cached by the worker.
const FILES = ['index.html', 'mllab.js', 'mllab.wasm', 'mllab.data'];
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

const sw = fs.readFileSync(template);
const files = {};
for (const name of FILES) {
  const bytes = fs.readFileSync(path.join(dist, name));
  files[name] = { sha256: sha256(bytes), bytes: bytes.length };
}
const version = sha256(Object.entries(files).map(([n, f]) => `${n} ${f.sha256}\n`).join('') + sha256(sw)).slice(0, 16);
const manifest = { schema: 'mllab.build', schema_version: 1, version, files };
const text = JSON.stringify(manifest, null, 2) + '\n';
fs.writeFileSync(path.join(dist, 'build.json'), text);
fs.writeFileSync(path.join(dist, 'sw.js'), `self.MLLAB_BUILD = ${JSON.stringify(manifest)};\n${sw}`);
console.log(`MLLab build ${version}: ${FILES.length} files, ${Object.values(files).reduce((a, f) => a + f.bytes, 0)} bytes`);
