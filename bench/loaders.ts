/**
 * `node out/bench/loaders.js`: the TypeScript loader candidates on the governance suite (the
 * repository's copy), each run by the engine with V8 coverage: tsx (the reference, esbuild's
 * native binary), typescript's transpileModule (src/coverage/tsLoader.ts, the no-native
 * default) and sucrase (bench/sucraseHook.ts). Prints the median run time and every per-file
 * figure (lines, branches, functions, statements) that differs from tsx's run.
 * `BENCH_RUNS=n` sets the repetitions (default 5, interleaved). Measurements only.
 */
import * as path from 'path';
import libCoverage from 'istanbul-lib-coverage';
import { embeddedConfig, startRun, type ResolvedConfig } from '../src/coverage/index';
import { extensionRoot } from '../src/coverage/config';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
type Figures = Record<string, Record<'lines' | 'branches' | 'functions' | 'statements', string>>;

async function runWith(config: ResolvedConfig): Promise<{ ms: number; figures: Figures; passed: number; failed: number }> {
  const t0 = performance.now();
  const result = await startRun({ config }).result;
  const ms = performance.now() - t0;
  if (result.error) throw new Error(result.error);
  const map = libCoverage.createCoverageMap(result.coverage);
  const figures: Figures = {};
  for (const file of map.files().sort()) {
    const s = map.fileCoverageFor(file).toSummary();
    const f = (m: 'lines' | 'branches' | 'functions' | 'statements') => `${s[m].covered}/${s[m].total}`;
    figures[path.relative(config.root, file)] = { lines: f('lines'), branches: f('branches'), functions: f('functions'), statements: f('statements') };
  }
  return { ms, figures, passed: result.stats.passed, failed: result.stats.failed };
}

async function main(): Promise<void> {
  const root = extensionRoot();
  const base = embeddedConfig(root);
  const candidates: Array<[string, string]> = [
    ['tsx 4 (esbuild, native)', require.resolve('tsx/cjs', { paths: [root] })],
    ['typescript transpileModule (ours, tsLoader)', path.join(root, 'out', 'src', 'coverage', 'tsLoader.js')],
    ['sucrase 3', path.join(root, 'out', 'bench', 'sucraseHook.js')],
  ];
  const times = new Map<string, number[]>(candidates.map(([n]) => [n, []]));
  const figures = new Map<string, Figures>();
  for (let i = 0; i < RUNS; i++) {
    for (const [name, loader] of candidates) {
      const r = await runWith({ ...base, require: [loader] });
      if (r.failed) console.log(`${name}: ${r.failed} failed`);
      times.get(name)!.push(r.ms);
      figures.set(name, r.figures);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const reference = figures.get(candidates[0][0])!;
  for (const [name] of candidates) {
    const f = figures.get(name)!;
    const diffs: string[] = [];
    for (const file of new Set([...Object.keys(reference), ...Object.keys(f)])) {
      for (const m of ['lines', 'branches', 'functions', 'statements'] as const) {
        if (reference[file]?.[m] !== f[file]?.[m]) diffs.push(`${file} ${m} ${f[file]?.[m]} (tsx ${reference[file]?.[m]})`);
      }
    }
    console.log(`${name}: median ${median(times.get(name)!).toFixed(0)} ms over ${RUNS} runs; ${Object.keys(f).length} files; ${diffs.length ? `${diffs.length} figures differ from tsx:\n  ${diffs.join('\n  ')}` : 'every figure identical to tsx'}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
