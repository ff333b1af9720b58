/**
 * Agreement check: our per-file line figures vs `npx c8 --include 'src/governance/**' mocha
 * --require tsx/cjs 'test/governance/**\/*.test.ts'` on the same tests, back to back.
 * Prints one row per file and exits 1 when any file differs by more than 1 percentage point.
 * Run: `npm run build && node out/bench/c8-compare.js` (or `npx tsx bench/c8-compare.ts`);
 * an optional fixture root compares that project instead of the governance suite;
 * `--engine=istanbul` compares the istanbul-lib-instrument engine instead (the measurement
 * behind choosing V8, see src/coverage/v8.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, embeddedConfig, extensionRoot, loadConfig, startRun } from '../src/coverage/index';

/** Per-file line percentages from both tools. */
export interface Agreement {
  rows: Array<{ file: string; ours?: number; c8?: number; diff?: number }>;
  maxDiff: number;
}

/** Run both and compare lines per file. */
export async function compareWithC8(engine: 'v8' | 'istanbul' = 'v8', root?: string): Promise<Agreement> {
  const config = root ? await loadConfig(root) : embeddedConfig();
  const ext = extensionRoot();
  const result = await startRun({ config, engine } as Parameters<typeof startRun>[0]).result;
  const analysis = await analyze(result, config);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-c8-'));
  const c8 = path.join(ext, 'node_modules', 'c8', 'bin', 'c8.js');
  const mocha = path.join(ext, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const include = config.sourceGlobs.flatMap((g) => ['--include', g]);
  const r = spawnSync(process.execPath, [c8, ...include, '--reporter', 'json-summary', '--report-dir', out,
    '--temp-directory', path.join(out, 'tmp'), process.execPath, mocha, ...config.require.flatMap((m) => ['--require', m]), ...config.testGlobs],
  { cwd: config.root, encoding: 'utf8' });
  if (r.status === null) throw new Error(`c8 did not finish: ${r.stderr}`);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'coverage-summary.json'), 'utf8')) as Record<string, { lines: { pct: number } }>;
  const rows: Agreement['rows'] = [];
  let maxDiff = 0;
  const files = new Set([...analysis.files.map((f) => f.file), ...Object.keys(summary).filter((k) => k !== 'total')]);
  for (const file of [...files].sort()) {
    const ours = analysis.files.find((f) => f.file === file)?.figures.lines.pct;
    const theirs = summary[file]?.lines.pct;
    const diff = ours !== undefined && theirs !== undefined ? Math.abs(ours - theirs) : undefined;
    if (diff !== undefined) maxDiff = Math.max(maxDiff, diff);
    rows.push({ file: path.relative(config.root, file), ours, c8: theirs, diff });
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { rows, maxDiff };
}

if (require.main === module) {
  const engine = process.argv.includes('--engine=istanbul') ? 'istanbul' : 'v8';
  const root = process.argv.slice(2).find((a) => !a.startsWith('--'));
  compareWithC8(engine, root && path.resolve(root)).then((a) => {
    console.log(`engine: ${engine}; suite: ${root ?? 'embedded governance suite'}`);
    const f = (n?: number) => (n === undefined ? '   (absent)' : `${n.toFixed(2)}%`.padStart(11));
    console.log(`${'File'.padEnd(44)}${'ours'.padStart(11)}${'c8'.padStart(11)}${'diff'.padStart(8)}`);
    for (const r of a.rows) console.log(`${r.file.padEnd(44)}${f(r.ours)}${f(r.c8)}${(r.diff === undefined ? '-' : r.diff.toFixed(2)).padStart(8)}`);
    console.log(`max line difference: ${a.maxDiff.toFixed(2)} percentage points (${a.maxDiff <= 1 ? 'within' : 'OVER'} 1 pp)`);
    process.exitCode = a.maxDiff <= 1 ? 0 : 1;
  });
}
