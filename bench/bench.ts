/**
 * `npm run bench`: side by side in one process tree,
 * 1. bare mocha on the governance suite vs the engine with coverage (V8, the default), and
 * 2. the same on a generated suite of 200 source files × 50 tests each (in a temp dir);
 * plus, for the engine choice, the same runs with istanbul-lib-instrument and with per-test
 * coverage. Prints median wall times, the ratios coverage/bare (goal ≤ 1.3) and the time from
 * run end to hints ready (analysis + rendering; goal < 100 ms on the governance suite).
 * Ends with the c8 line agreement on the governance suite (`BENCH_C8=0` skips it).
 * `BENCH_RUNS=n` sets the repetitions (default 5, interleaved). Measurements only, no assertions.
 * Then the mutation benchmark (bench/mutation.ts; `BENCH_MUTATION=0` skips it).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, embeddedConfig, loadConfig, renderHints, startRun, type ResolvedConfig } from '../src/coverage/index';
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
async function engine(config: ResolvedConfig, opts: { engine?: 'v8' | 'istanbul'; perTest?: boolean }): Promise<{ run: number; hints: number; tests: number }> {
  const started = performance.now();
  const result = await startRun({ config, perTest: opts.perTest, engine: opts.engine } as Parameters<typeof startRun>[0]).result;
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

type Mode = { mode: string; opts: { engine?: 'v8' | 'istanbul'; perTest?: boolean }; once?: boolean };

async function benchSuite(name: string, config: ResolvedConfig, rows: Row[], perTestOnce: boolean): Promise<void> {
  const bare: number[] = [];
  const modes: Mode[] = [
    { mode: 'engine, V8 coverage (default)', opts: {} },
    { mode: 'engine, istanbul-lib-instrument', opts: { engine: 'istanbul' } },
    { mode: `engine, V8 + per-test${perTestOnce ? ' (1 run)' : ''}`, opts: { perTest: true }, once: perTestOnce },
  ];
  const times = modes.map(() => ({ run: [] as number[], hints: [] as number[] }));
  let tests = 0;
  for (let r = 0; r < RUNS; r++) {
    bare.push(await bareMocha(config));
    for (const [i, m] of modes.entries()) {
      if (m.once && r > 0) continue;
      const t = await engine(config, m.opts);
      tests = t.tests;
      times[i].run.push(t.run);
      times[i].hints.push(t.hints);
    }
  }
  const b = median(bare);
  const bb = Math.min(...bare);
  rows.push({ suite: `${name} (${tests} tests)`, mode: 'bare mocha', ms: b, best: bb });
  modes.forEach((m, i) => rows.push({
    suite: `${name} (${tests} tests)`, mode: m.mode, ms: median(times[i].run), best: Math.min(...times[i].run),
    ratio: median(times[i].run) / b, bestRatio: Math.min(...times[i].run) / bb, hints: median(times[i].hints),
  }));
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(`Benchmark: ${RUNS} interleaved runs each, node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await benchSuite('governance suite', embeddedConfig(), rows, false);
  const root = generateSuite();
  try {
    await benchSuite('generated 200 files × 50 tests', await loadConfig(root), rows, true);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log('');
  const n = (x: number | undefined, d: number, w: number) => (x === undefined ? '' : x.toFixed(d)).padStart(w);
  console.log(`${'suite'.padEnd(46)}${'mode'.padEnd(36)}${'median ms'.padStart(10)}${'best ms'.padStart(9)}${'ratio'.padStart(7)}${'best ratio'.padStart(11)}${'hints ms'.padStart(10)}`);
  for (const r of rows) {
    console.log(`${r.suite.padEnd(46)}${r.mode.padEnd(36)}${n(r.ms, 0, 10)}${n(r.best, 0, 9)}${n(r.ratio, 2, 7)}${n(r.bestRatio, 2, 11)}${n(r.hints, 1, 10)}`);
  }
  console.log('');
  console.log('ratio = median coverage run / median bare run; best ratio = fastest / fastest (less sensitive to other load on the machine).');
  for (const r of rows.filter((x) => x.mode.endsWith('(default)'))) {
    console.log(`${r.suite}: coverage/bare ratio ${r.ratio!.toFixed(2)} (best ${r.bestRatio!.toFixed(2)}; goal ≤ 1.30), run end → hints ready ${r.hints!.toFixed(1)} ms`);
  }
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
