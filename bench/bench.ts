/**
 * `npm run bench`: side by side in one process tree, on the governance suite and on a generated
 * suite of 200 source files × 50 tests each (in a temp dir), interleaved `BENCH_RUNS` times
 * (default 5), medians:
 * 1. bare mocha; the engine with V8 coverage and per-test coverage off; the engine's default
 *    (V8 coverage + per-test probes, src/continuous/probes.ts); per-test by a V8 take per test
 *    (the former design; governance suite only unless `BENCH_TAKES=1`: ~40 s on the generated
 *    suite); istanbul-lib-instrument (engine choice); c8 and nyc running the same mocha;
 *    ratios to bare mocha (goals: coverage ≤ 1.3; per-test ≤ 1.3 governance, ≤ 2 generated);
 * 2. continuous run: on a copy of the governance suite, a one-function edit saved → the
 *    affected tests rerun, merged into the last picture and analysed (goal ≤ 500 ms), through
 *    the warm runner (src/warm: the test process kept between runs) and with a fresh test
 *    process per rerun; `BENCH_ONLY=continuous` runs only this part;
 * 3. sharding: 2 shards in parallel + merge + analysis against one run (wall time).
 * Ends with the c8 line agreement on the governance suite (`BENCH_C8=0` skips it).
 * Measurements only, no assertions.
 * Then the mutation benchmark (bench/mutation.ts; `BENCH_MUTATION=0` skips it).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, embeddedConfig, findTestFiles, loadConfig, renderHints, startAffected, startRun, type ResolvedConfig } from '../src/coverage/index';
import { mergeShards } from '../src/continuous/merge';
import { splitShards, type ShardRecord } from '../src/continuous/shard';
import { WarmRunner } from '../src/warm/warmRunner';
import { compareWithC8 } from './c8-compare';
import { benchMutation } from './mutation';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Bare mocha in a child (the same process tree), as a user would run it. */
function bareMocha(config: ResolvedConfig): Promise<number> {
  const mocha = require.resolve('mocha/bin/mocha.js', { paths: [config.root, __dirname] });
  // `--exit`, so bare mocha never waits on a handle a test left open (the engine's child exits
  // explicitly too): the ratio is not flattered.
  const args = [mocha, '--exit', '--reporter', 'dot', '--timeout', String(config.timeout), ...config.require.flatMap((r) => ['--require', r]), ...config.testGlobs];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: config.root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === null ? reject(new Error(err)) : resolve(performance.now() - started)));
  });
}

/** The engine: run with coverage, then analysis + hints. */
async function engine(config: ResolvedConfig, opts: { engine?: 'v8' | 'istanbul'; perTest?: boolean; env?: Record<string, string> }): Promise<{ run: number; hints: number; tests: number }> {
  const started = performance.now();
  const result = await startRun({ config, perTest: opts.perTest, engine: opts.engine, env: opts.env } as Parameters<typeof startRun>[0]).result;
  if (result.error) throw new Error(result.error);
  const ended = performance.now();
  const analysis = await analyze(result, config);
  renderHints(analysis, 5);
  return { run: ended - started, hints: performance.now() - ended, tests: result.stats.total };
}

/** 200 source files with a class, branches and helpers; one test file of 50 tests for each. */
export function generateSuite(files = 200, tests = 50): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-bench-'));
  fs.mkdirSync(path.join(root, 'src'));
  fs.mkdirSync(path.join(root, 'test'));
  for (let i = 0; i < files; i++) {
    fs.writeFileSync(path.join(root, 'src', `mod${i}.ts`), `/** Generated module ${i}. */
export interface Item${i} { id: number; tags?: string[] }

export class Service${i} {
  private items: Item${i}[] = [];
  add(id: number, tags?: string[]): number {
    if (id < 0) {
      throw new Error('negative id');
    }
    this.items.push({ id, tags: tags ?? [] });
    return this.items.length;
  }
  find(id: number): Item${i} | undefined {
    for (const item of this.items) {
      if (item.id === id) return item;
    }
    return undefined;
  }
  label(id: number): string {
    const item = this.find(id);
    return item ? \`item \${item.id} (\${(item.tags ?? []).join(',')})\` : 'missing';
  }
  kind(n: number): string {
    switch (n % 3) {
      case 0: return 'zero';
      case 1: return 'one';
      default: return 'two';
    }
  }
}

export function score${i}(values: number[]): number {
  let total = 0;
  for (const v of values) total += v > 10 ? v * 2 : v;
  return total;
}
`);
    const cases: string[] = [];
    for (let t = 0; t < tests; t++) {
      const k = t % 5;
      cases.push(k === 0 ? `  it('adds ${t}', () => { const s = new Service${i}(); assert.equal(s.add(${t}), 1); });`
        : k === 1 ? `  it('finds ${t}', () => { const s = new Service${i}(); s.add(${t}); assert.equal(s.find(${t})?.id, ${t}); });`
          : k === 2 ? `  it('labels ${t}', () => { const s = new Service${i}(); s.add(${t}, ['a']); assert.equal(s.label(${t}), 'item ${t} (a)'); });`
            : k === 3 ? `  it('kind ${t}', () => { assert.equal(new Service${i}().kind(${t}), ['zero', 'one', 'two'][${t} % 3]); });`
              : `  it('scores ${t}', () => { assert.equal(score${i}([${t}, 1]), ${t > 10 ? t * 2 : t} + 1); });`);
    }
    fs.writeFileSync(path.join(root, 'test', `mod${i}.test.ts`), `import { strict as assert } from 'assert';
import { Service${i}, score${i} } from '../src/mod${i}';

describe('module ${i}', () => {
${cases.join('\n')}
});
`);
  }
  fs.writeFileSync(path.join(root, 'governance-coverage.config.json'), JSON.stringify({
    testGlobs: ['test/**/*.test.ts'], sourceGlobs: ['src/**/*.ts'], targets: [{ glob: 'src/**/*.ts', lines: 90, branches: 80 }],
  }, null, 2));
  return root;
}

interface Row { suite: string; mode: string; ms: number; best: number; ratio?: number; bestRatio?: number; hints?: number }

type Mode = { mode: string; run: () => Promise<{ run: number; hints?: number; tests?: number }>; once?: boolean; skip?: boolean };

/** A tool (c8, nyc) running the same mocha command as {@link bareMocha}. */
function toolMocha(config: ResolvedConfig, tool: 'c8' | 'nyc'): Promise<number> {
  const mocha = require.resolve('mocha/bin/mocha.js', { paths: [config.root, __dirname] });
  const bin = require.resolve(tool === 'c8' ? 'c8/bin/c8.js' : 'nyc/bin/nyc.js', { paths: [__dirname] });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `govcov-${tool}-`));
  const include = config.sourceGlobs.flatMap((g) => ['--include', g]);
  const toolArgs = tool === 'c8'
    ? [...include, '--reporter', 'json-summary', '--report-dir', out, '--temp-directory', path.join(out, 'tmp')]
    : [...include, '--extension', '.ts', '--reporter', 'json-summary', '--report-dir', out, '--temp-dir', path.join(out, 'tmp'), '--cwd', config.root];
  const args = [bin, ...toolArgs, process.execPath, mocha, '--exit', '--reporter', 'dot', '--timeout', String(config.timeout), ...config.require.flatMap((r) => ['--require', r]), ...config.testGlobs];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: config.root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      fs.rmSync(out, { recursive: true, force: true });
      if (code === null) reject(new Error(err));
      else resolve(performance.now() - started);
    });
  });
}

async function benchSuite(name: string, config: ResolvedConfig, rows: Row[], big: boolean): Promise<void> {
  const modes: Mode[] = [
    { mode: 'bare mocha', run: async () => ({ run: await bareMocha(config) }) },
    { mode: 'engine, coverage, no per-test', run: () => engine(config, { perTest: false }) },
    { mode: 'engine, coverage + per-test (default)', run: () => engine(config, {}) },
    { mode: 'engine, per-test by V8 takes (old)', run: () => engine(config, { env: { GOVCOV_PER_TEST: 'takes' } }), once: big, skip: big && process.env.BENCH_TAKES !== '1' },
    { mode: 'engine, istanbul-lib-instrument', run: () => engine(config, { engine: 'istanbul', perTest: false }) },
    { mode: 'c8 + mocha', run: async () => ({ run: await toolMocha(config, 'c8') }) },
    { mode: 'nyc + mocha', run: async () => ({ run: await toolMocha(config, 'nyc') }) },
  ];
  const times = modes.map(() => ({ run: [] as number[], hints: [] as number[] }));
  let tests = 0;
  for (let r = 0; r < RUNS; r++) {
    for (const [i, m] of modes.entries()) {
      if (m.skip || (m.once && r > 0)) continue;
      const t = await m.run();
      if (t.tests) tests = t.tests;
      times[i].run.push(t.run);
      if (t.hints !== undefined) times[i].hints.push(t.hints);
    }
  }
  const b = median(times[0].run);
  const bb = Math.min(...times[0].run);
  modes.forEach((m, i) => {
    if (m.skip) return;
    const ms = median(times[i].run);
    rows.push({
      suite: `${name} (${tests} tests)`, mode: m.mode + (m.once ? ' (1 run)' : ''), ms, best: Math.min(...times[i].run),
      ...(i > 0 ? { ratio: ms / b, bestRatio: Math.min(...times[i].run) / bb } : {}), ...(times[i].hints.length ? { hints: median(times[i].hints) } : {}),
    });
  });
}

/** A copy of the governance suite (sources, tests, a config) in a temp dir, to edit. */
function governanceCopy(): string {
  const ext = embeddedConfig().root;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-continuous-'));
  for (const dir of ['src/governance', 'test/governance']) fs.cpSync(path.join(ext, dir), path.join(root, dir), { recursive: true });
  fs.symlinkSync(path.join(ext, 'node_modules'), path.join(root, 'node_modules'));
  const { targets, hints } = embeddedConfig();
  fs.writeFileSync(path.join(root, 'governance-coverage.config.json'), JSON.stringify({
    testGlobs: ['test/governance/**/*.test.ts'], sourceGlobs: ['src/governance/**/*.ts'], require: ['tsx/cjs'], targets, hints,
  }));
  return root;
}

/**
 * Save → updated picture and analysis, for a one-function edit; the edit alternates with its
 * undo. `warm`: the runs go through a {@link WarmRunner} (the test process kept between runs,
 * src/warm) — the first full run starts it —; otherwise every rerun starts a fresh test process.
 */
async function benchContinuous(rows: Row[], warm: boolean): Promise<string> {
  const root = governanceCopy();
  const runner = warm ? new WarmRunner() : undefined;
  const start = (o: Parameters<typeof startRun>[0]) => (runner ? runner.start(o) : startRun(o));
  try {
    const config = await loadConfig(root);
    let previous = await start({ config }).result;
    if (previous.error) throw new Error(previous.error);
    const file = path.join(root, 'src', 'governance', 'graduationService.ts');
    const original = fs.readFileSync(file, 'utf8');
    // One function's body: GraduationService.recommend (or the first method with a `return`).
    const at = original.indexOf('return', original.indexOf('recommend('));
    const edited = `${original.slice(0, at)}void 0;\n    ${original.slice(at)}`;
    const times: number[] = [];
    let selected = 0;
    let total = 0;
    let reused = 0;
    let text = original;
    for (let r = 0; r < RUNS; r++) {
      const next = text === original ? edited : original;
      fs.writeFileSync(file, next);
      const t0 = performance.now();
      const run = startAffected(config, previous, [{ file, before: text, after: next }], start);
      const { picture, fresh } = await run.result;
      await analyze(picture, config);
      times.push(performance.now() - t0);
      if (runner?.served?.reused) reused++;
      selected = run.selection.all ? -1 : run.selection.tests.length;
      total = Object.keys(previous.testTitles).length;
      if (fresh.error) throw new Error(fresh.error);
      previous = picture;
      text = next;
    }
    fs.writeFileSync(file, original);
    const how = warm ? `warm process, ${reused}/${RUNS} reused` : 'fresh process';
    rows.push({ suite: `governance copy (${total} tests)`, mode: `continuous (${how}): save → marks, ${selected < 0 ? 'all' : selected} rerun`, ms: median(times), best: Math.min(...times) });
    return `one-function edit of GraduationService.recommend: ${selected < 0 ? 'everything' : `${selected} of ${total} tests`} rerun`;
  } finally {
    runner?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** n shards in parallel + merge + analysis, against one run + analysis (both per-test). */
async function benchShards(config: ResolvedConfig, n: number, rows: Row[], name: string): Promise<void> {
  const single: number[] = [];
  const sharded: number[] = [];
  const files = await findTestFiles(config);
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    await analyze(await startRun({ config }).result, config);
    single.push(performance.now() - t0);
    t0 = performance.now();
    const parts = splitShards(config.root, files, {}, n);
    const results = await Promise.all(parts.map((f) => startRun({ config, files: f, keepRaw: true }).result));
    const records: ShardRecord[] = results.map((result, i) => ({ format: 'governance-coverage-shard/1', k: i + 1, n, root: config.root, files: parts[i], result, failures: [], durations: {} }));
    await analyze(await mergeShards(records, config), config);
    sharded.push(performance.now() - t0);
  }
  rows.push({ suite: name, mode: 'one run + analysis', ms: median(single), best: Math.min(...single) });
  rows.push({ suite: name, mode: `${n} shards in parallel + merge + analysis`, ms: median(sharded), best: Math.min(...sharded), ratio: median(sharded) / median(single), bestRatio: Math.min(...sharded) / Math.min(...single) });
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(`Benchmark: ${RUNS} interleaved runs each, node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // BENCH_ONLY=continuous: only the continuous-run measurement (warm and fresh process).
  const only = process.env.BENCH_ONLY;
  if (!only) {
    await benchSuite('governance suite', embeddedConfig(), rows, false);
    const root = generateSuite();
    try {
      await benchSuite('generated 200 files × 50 tests', await loadConfig(root), rows, true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  const continuous = await benchContinuous(rows, true);
  await benchContinuous(rows, false);
  if (!only) await benchShards(embeddedConfig(), 2, rows, 'governance suite, sharded');
  console.log('');
  const n = (x: number | undefined, d: number, w: number) => (x === undefined ? '' : x.toFixed(d)).padStart(w);
  console.log(`${'suite'.padEnd(40)}${'mode'.padEnd(46)}${'median ms'.padStart(10)}${'best ms'.padStart(9)}${'ratio'.padStart(7)}${'best ratio'.padStart(11)}${'hints ms'.padStart(10)}`);
  for (const r of rows) {
    console.log(`${r.suite.padEnd(40)}${r.mode.padEnd(46)}${n(r.ms, 0, 10)}${n(r.best, 0, 9)}${n(r.ratio, 2, 7)}${n(r.bestRatio, 2, 11)}${n(r.hints, 1, 10)}`);
  }
  console.log('');
  console.log('ratio = median / median bare mocha (shards: / one run); best ratio = fastest / fastest (less sensitive to other load).');
  for (const r of rows.filter((x) => x.mode.startsWith('engine, coverage'))) {
    const goal = r.mode.includes('per-test') ? (r.suite.startsWith('generated') ? 2 : 1.3) : 1.3;
    console.log(`${r.suite} — ${r.mode}: ${r.ratio!.toFixed(2)} × bare (best ${r.bestRatio!.toFixed(2)}; goal ≤ ${goal.toFixed(2)})${r.hints !== undefined ? `, run end → hints ${r.hints.toFixed(1)} ms` : ''}`);
  }
  for (const cont of rows.filter((r) => r.mode.startsWith('continuous'))) {
    console.log(`${cont.mode.replace(/: save.*/, '')}: ${continuous}; save → updated picture and analysis ${cont.ms.toFixed(0)} ms median (best ${cont.best.toFixed(0)}; goal ≤ 500)`);
  }
  if (only) return;
  if (process.env.BENCH_C8 !== '0') {
    const agreement = await compareWithC8();
    const worst = agreement.rows.filter((r) => r.diff !== undefined).sort((a, b) => b.diff! - a.diff!)[0];
    console.log(`c8 agreement (lines, governance suite): max difference ${agreement.maxDiff.toFixed(2)} points${worst ? ` (${worst.file})` : ''} — see bench/c8-compare.ts`);
  }
  if (process.env.BENCH_MUTATION !== '0') await benchMutation();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
