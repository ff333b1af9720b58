/**
 * Mutation benchmark (part of `npm run bench`; `BENCH_MUTATION=0` skips it, `npm run bench:mutation`
 * runs only it). On a throwaway copy of the embedded suite (src/governance, test/governance), side
 * by side with plain StrykerJS (its CLI, `stryker run`, with the same mutate files, mocha runner,
 * tsx require, perTest coverage, json + html reporters and concurrency):
 * 1. a full mutation run of the five service files — the engine vs plain StrykerJS;
 * 2. after editing one function (SupervisionService.interrupt), an incremental rerun — the engine
 *    (`--incremental`) vs plain StrykerJS `--incremental`.
 * Goals: engine full ≤ plain StrykerJS full; engine incremental ≤ 15 s. Measurements only.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { embeddedConfig, GOVERNANCE_SERVICES } from '../src/coverage/config';
import type { ResolvedConfig } from '../src/coverage/model';
import { scoreOf } from '../src/mutation/analyze';
import type { MutationReport, SchemaMutant } from '../src/mutation/model';
import { startMutation } from '../src/mutation/run';

const SERVICES = GOVERNANCE_SERVICES.map((s) => `src/governance/${s}.ts`);

/** A copy of the embedded suite under the repository's `.tmp/` (modules resolve from the repository's node_modules). */
function copySuite(): string {
  const repo = embeddedConfig().root;
  fs.mkdirSync(path.join(repo, '.tmp'), { recursive: true });
  const root = fs.realpathSync(fs.mkdtempSync(path.join(repo, '.tmp', 'mutation-bench-')));
  for (const p of ['src/governance', 'test/governance', 'tsconfig.json']) fs.cpSync(path.join(repo, p), path.join(root, p), { recursive: true });
  return root;
}

const score = (report: MutationReport) => scoreOf(Object.values(report.files).flatMap((f) => f.mutants as SchemaMutant[]));

async function engineRun(config: ResolvedConfig, incremental: boolean, concurrency: number) {
  const started = performance.now();
  const r = await startMutation({ config, files: SERVICES, incremental, concurrency }).result;
  if (!r.report) throw new Error(`engine run failed: ${r.error}`);
  return { ms: performance.now() - started, tested: r.tested, pct: score(r.report).pct };
}

/** Plain StrykerJS through its own CLI, with a config file equivalent to the engine's options. */
async function plainRun(root: string, incremental: boolean, concurrency: number) {
  const reports = path.join(root, 'reports-plain');
  const config = path.join(root, 'stryker-plain.config.json');
  fs.writeFileSync(config, JSON.stringify({
    testRunner: 'mocha', plugins: ['@stryker-mutator/mocha-runner'], coverageAnalysis: 'perTest', mutate: SERVICES,
    mochaOptions: { spec: ['test/governance/**/*.test.ts'], require: [require.resolve('tsx/cjs')] },
    reporters: ['json', 'html'], jsonReporter: { fileName: path.join(reports, 'mutation.json') }, htmlReporter: { fileName: path.join(reports, 'mutation.html') },
    incremental: true, force: !incremental, incrementalFile: path.join(reports, 'stryker-incremental.json'),
    tempDirName: '.stryker-tmp', cleanTempDir: 'always', concurrency, checkers: [], ignorePatterns: ['/coverage', '/reports-plain'],
  }));
  const bin = path.join(path.dirname(require.resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
  const started = performance.now();
  let out = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', config], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', resolve);
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`plain StrykerJS failed (${code}):\n${out.slice(-2000)}`);
  const report = JSON.parse(fs.readFileSync(path.join(reports, 'mutation.json'), 'utf8')) as MutationReport;
  return { ms, tested: undefined, pct: score(report).pct };
}

/** Edits one function: a statement added at the start of `SupervisionService.interrupt`'s body. */
function editOneFunction(root: string): void {
  const file = path.join(root, 'src', 'governance', 'supervisionService.ts');
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf('interrupt(sessionId: string, reason: string)');
  const brace = text.indexOf('{', at) + 1;
  if (at < 0 || brace === 0) throw new Error('SupervisionService.interrupt not found: update bench/mutation.ts');
  fs.writeFileSync(file, `${text.slice(0, brace)}\n    if (reason.length > 10_000) reason = reason.slice(0, 10_000);${text.slice(brace)}`);
}

export async function benchMutation(): Promise<void> {
  const concurrency = Number(process.env.BENCH_MUTATION_CONCURRENCY ?? Math.max(1, Math.min(os.cpus().length, 4)));
  const root = copySuite();
  const config: ResolvedConfig = { ...embeddedConfig(), root };
  const rows: Array<[string, { ms: number; tested?: number; pct: number }]> = [];
  try {
    console.log(`\nMutation (five services, concurrency ${concurrency}, load average ${os.loadavg()[0].toFixed(1)}, copy in ${root}):`);
    rows.push(['engine, full', await engineRun(config, false, concurrency)]);
    rows.push(['plain StrykerJS CLI, full', await plainRun(root, false, concurrency)]);
    editOneFunction(root);
    rows.push(['engine, incremental after editing one function', await engineRun(config, true, concurrency)]);
    rows.push(['plain StrykerJS CLI, incremental after the edit', await plainRun(root, true, concurrency)]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`${'mode'.padEnd(50)}${'wall s'.padStart(8)}${'tested'.padStart(8)}${'score'.padStart(8)}`);
  for (const [mode, r] of rows) console.log(`${mode.padEnd(50)}${(r.ms / 1000).toFixed(1).padStart(8)}${String(r.tested ?? '–').padStart(8)}${`${r.pct.toFixed(1)}%`.padStart(8)}`);
  const [full, plain, inc] = rows.map((r) => r[1]);
  console.log(`engine full / plain StrykerJS full: ${(full.ms / plain.ms).toFixed(2)} (goal ≤ 1.00); engine incremental: ${(inc.ms / 1000).toFixed(1)} s (goal ≤ 15 s)`);
}

if (require.main === module) {
  benchMutation().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
