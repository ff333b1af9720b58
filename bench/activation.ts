/**
 * `npm run bench` (last part): the part of the extension's activation time that packaging
 * decides — loading its main module (read, parse, evaluate everything it requires at load), in a
 * fresh Node process each time. `vscode`, the one module only the editor provides, is a stand-in
 * (this measures our module's own cost, never a behaviour). Compared: the esbuild bundle the
 * .vsix ships (dist/extension.js; the TypeScript compiler loads on first use, not with it) and
 * the tsc build (out/src/extension.js with node_modules, what the .vsix held before). The
 * activation time VS Code itself reports is printed by the editor suite (installedPackage.test.ts).
 * `BENCH_RUNS=n` sets the repetitions (default 10). Measurements only, no assertions.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const RUNS = Number(process.env.BENCH_RUNS_ACTIVATION ?? process.env.BENCH_RUNS ?? 10);
const ROOT = path.resolve(__dirname, '..', '..');

/** The measuring script, run with `node -e` in a fresh process (cwd: a folder with no tests). */
const PROBE = `
const Module = require('module');
const stand = () => new Proxy(function () {}, {
  get: (t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => 0 : stand()),
  apply: () => stand(), construct: () => stand(),
});
const original = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? stand() : original.call(this, request, ...rest); };
const t0 = process.hrtime.bigint();
const ext = require(process.argv[1]);
const t1 = process.hrtime.bigint();

if (typeof ext.activate !== 'function') throw new Error('no activate export');
process.stdout.write(JSON.stringify({ load: Number(t1 - t0) / 1e6 }));
process.exit(0);
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(main: string): { load: number } {
  const load: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['-e', PROBE, main], { cwd: require('os').tmpdir(), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${main}: ${r.stderr}`);
    load.push((JSON.parse(r.stdout) as { load: number }).load);
  }
  return { load: median(load) };
}

function main(): void {
  console.log(`\nExtension main module load, the packaging's share of activation (median of ${RUNS} fresh processes):`);
  for (const [label, file] of [['bundle, dist/extension.js (.vsix)', 'dist/extension.js'], ['tsc build, out/src/extension.js', 'out/src/extension.js']]) {
    const m = measure(path.join(ROOT, file));
    console.log(`  ${label.padEnd(36)} ${m.load.toFixed(1).padStart(7)} ms`);
  }
}

main();
