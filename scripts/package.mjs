#!/usr/bin/env node
/**
 * `npm run package`: the two things a user installs, from the bundles in dist/ (built first
 * when missing; `npm run build` builds them):
 * - the .vsix: `vsce package` with no flags (@vscode/vsce 3.x, pinned: 4.x needs Node 22); any
 *   warning or question from vsce fails the step (stdin is closed, so a question cannot wait);
 * - the npm package: `npm pack` (contents from .npmignore).
 * Both land in artifacts/ (git-ignored); their sizes and file counts are printed, and written
 * to artifacts/packages.json for the tests (test/unit/packaging.test.ts, the editor suite).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'artifacts');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;

function fail(message) {
  console.error(`npm run package: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
  const { bundle } = await import('./bundle.mjs');
  await bundle();
}
fs.mkdirSync(out, { recursive: true });

// The .vsix
const vsixName = `${pkg.name}-${pkg.version}.vsix`;
fs.rmSync(path.join(root, vsixName), { force: true });
const vsce = spawnSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package'], {
  cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
});
const vsceOut = `${vsce.stdout}${vsce.stderr}`;
if (vsce.status !== 0 || !fs.existsSync(path.join(root, vsixName))) fail(`vsce package failed (exit ${vsce.status}):\n${vsceOut}`);
const warnings = vsceOut.split('\n').filter((l) => /WARNING|\[y\/N\]/i.test(l));
if (warnings.length) fail(`vsce package is not clean:\n${warnings.join('\n')}`);
fs.renameSync(path.join(root, vsixName), path.join(out, vsixName));
const vsixFiles = Number(/Packaged: .*\((\d+) files?/.exec(vsceOut)?.[1] ?? NaN);

// The npm package
const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8' }))[0];

const report = {
  vsix: { file: path.join('artifacts', vsixName), bytes: fs.statSync(path.join(out, vsixName)).size, files: vsixFiles },
  npm: { file: path.join('artifacts', packed.filename), bytes: packed.size, unpackedBytes: packed.unpackedSize, files: packed.entryCount },
};
fs.writeFileSync(path.join(out, 'packages.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`.vsix: ${report.vsix.file}, ${mb(report.vsix.bytes)}, ${report.vsix.files} files`);
console.log(`npm:   ${report.npm.file}, ${mb(report.npm.bytes)} (${mb(report.npm.unpackedBytes)} unpacked), ${report.npm.files} files`);
