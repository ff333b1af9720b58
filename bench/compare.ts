/**
 * Agreement check: our per-file figures against nyc (istanbul instrumentation: statements,
 * branches, functions, lines) and c8 (V8 + v8-to-istanbul: lines), on the same tests.
 *
 *   npx tsx bench/compare.ts [DIR] [--tests GLOB]... [--sources GLOB]... [--require MOD]... [--cmd "TEST COMMAND"]
 *
 * DIR defaults to the embedded governance suite. Without `--tests`/`--sources`, DIR's own
 * governance-coverage config is used. `--cmd` is the command nyc and c8 wrap (run by `sh -c` in
 * DIR); by default `mocha` with the config's `require` and test globs. Prints one row per file
 * that all three report and exits 1 when a figure differs by more than 1 point (statements,
 * branches, functions vs nyc; lines vs c8).
 *
 * nyc instruments the JavaScript a file was compiled to (tsx/esbuild for TypeScript and ESM)
 * and maps it back: it also counts what the compiler added (module helpers, export getters),
 * mapped to the file's first line or export names. Those items are not in the source, so nyc's
 * figures here are over the items at the source's own positions; the row says how many were
 * left out. For plain CommonJS nyc instruments the source itself and nothing is left out.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import libCoverage from 'istanbul-lib-coverage';
import { analyze, embeddedConfig, extensionRoot, loadConfig, resolveConfig, startRun, type ResolvedConfig } from '../src/coverage/index';

type Pcts = { statements: number; branches: number; functions: number; lines: number };

export interface Row {
  file: string;
  ours: Pcts;
  nyc?: Pcts;
  /** `istanbul`: nyc did not report the file; its figures come from nyc's pipeline run in-process. */
  nycVia?: 'nyc' | 'istanbul';
  /** Items nyc counts that are not in the source (what the compiler added), left out of its figures. */
  nycExtra?: number;
  /**
   * Branch sides istanbul's own map has and nyc's remapped one lacks: the implicit `else` of an
   * `if` without one, whose location nyc's source-map step drops through some compilers (Babel).
   */
  nycDropped?: { sides: number; oursOnNycSides: number };
  c8?: Pcts;
  /** Where our lines and c8's differ, line by line (see {@link explainLines}). */
  c8Lines?: LineDiff;
}

/**
 * Our lines against c8's for one file. We count the lines a statement starts on (istanbul's
 * lines); c8 counts every physical line (blank, comment, brace and type-declaration lines too),
 * counts the lines under its `c8 ignore` hints as covered whatever ran, and marks a line by the
 * innermost V8 range that spans it. The difference in points splits into: lines only c8 counts,
 * lines under c8's ignore hints, and lines both count but mark differently.
 */
export interface LineDiff {
  /** Lines c8 counts that hold no statement, and how many of them c8 marks uncovered. */
  onlyC8: number;
  onlyC8Uncovered: number;
  /** Our lines under c8's ignore hints (c8: covered), and how many of them we read uncovered. */
  ignoredByC8: number;
  ignoredByC8Uncovered: number;
  /** Our lines outside the hints that c8 counts too, and those c8 and we mark differently. */
  both: number;
  disagree: number[];
  /** Both figures over {@link both}: equal when only the denominators and the hints differ. */
  c8OnBoth: number;
  oursOnBoth: number;
}

/**
 * The lines of a source under c8's ignore hints (`c8|v8 ignore next [N]`, `start`/`stop`, …), as
 * c8 reads them: v8-to-istanbul's own source reader (c8's converter, here through c8).
 */
export function c8IgnoredLines(text: string): Set<number> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const CovSource = require('v8-to-istanbul/lib/source') as new (text: string, wrapper: number) => { lines: Array<{ line: number; ignore: boolean }> };
  return new Set(new CovSource(text, 0).lines.filter((l) => l.ignore).map((l) => l.line));
}

/** {@link LineDiff} from our coverage of a file and c8's (its statements are its lines). */
export function explainLines(ours: libCoverage.FileCoverageData, c8: libCoverage.FileCoverageData, ignored = new Set<number>()): LineDiff {
  const mine = libCoverage.createFileCoverage(ours).getLineCoverage() as Record<string, number>;
  const theirs = libCoverage.createFileCoverage(c8).getLineCoverage() as Record<string, number>;
  const d: LineDiff = { onlyC8: 0, onlyC8Uncovered: 0, ignoredByC8: 0, ignoredByC8Uncovered: 0, both: 0, disagree: [], c8OnBoth: 100, oursOnBoth: 100 };
  let c8Covered = 0;
  let oursCovered = 0;
  for (const [line, n] of Object.entries(theirs)) {
    if (line in mine) continue;
    d.onlyC8++;
    if (!n) d.onlyC8Uncovered++;
  }
  for (const [line, n] of Object.entries(mine)) {
    if (ignored.has(+line) || !(line in theirs)) {
      d.ignoredByC8++;
      if (!n) d.ignoredByC8Uncovered++;
      continue;
    }
    d.both++;
    if (n > 0) oursCovered++;
    if (theirs[line] > 0) c8Covered++;
    if (n > 0 !== theirs[line] > 0) d.disagree.push(+line);
  }
  if (d.both) [d.c8OnBoth, d.oursOnBoth] = [(100 * c8Covered) / d.both, (100 * oursCovered) / d.both];
  return d;
}

/** One sentence: why our lines figure and c8's differ for a file. */
export function lineReason(d: LineDiff): string {
  const parts = [`c8 also counts ${d.onlyC8} line${d.onlyC8 === 1 ? '' : 's'} that hold no statement (${d.onlyC8Uncovered} of them uncovered)`];
  if (d.ignoredByC8) parts.push(`counts ${d.ignoredByC8} of our lines as covered under its ignore hints (${d.ignoredByC8Uncovered} of them uncovered here)`);
  const marks = d.disagree.length
    ? `marks ${d.disagree.length} of the ${d.both} lines both count differently (line${d.disagree.length === 1 ? '' : 's'} ${d.disagree.slice(0, 6).join(', ')}${d.disagree.length > 6 ? ', …' : ''})`
    : `marks the ${d.both} lines both count as we do`;
  return `${parts.join('; ')}; ${marks}: on those lines c8 ${d.c8OnBoth.toFixed(1)}, ours ${d.oursOnBoth.toFixed(1)}`;
}

export interface Args {
  dir?: string;
  tests: string[];
  sources: string[];
  require: string[];
  cmd?: string;
}

export function parseArgs(argv: string[]): Args {
  const a: Args = { tests: [], sources: [], require: [] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--tests') a.tests.push(argv[++i]);
    else if (v === '--sources') a.sources.push(argv[++i]);
    else if (v === '--require') a.require.push(argv[++i]);
    else if (v === '--cmd') a.cmd = argv[++i];
    else a.dir = path.resolve(v);
  }
  return a;
}

async function configOf(a: Args): Promise<ResolvedConfig> {
  if (!a.dir) return embeddedConfig();
  if (!a.tests.length && !a.sources.length) return loadConfig(a.dir);
  return resolveConfig(a.dir, { testGlobs: a.tests, sourceGlobs: a.sources, require: a.require }, 'bench/compare.ts arguments');
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The project's own mocha (its `_mocha` bin: runs in-process, under the coverage tool's hooks), else ours. */
function defaultCommand(config: ResolvedConfig): string {
  const dir = [config.mocha?.mochaDir, path.join(config.root, 'node_modules', 'mocha'), path.join(extensionRoot(), 'node_modules', 'mocha')]
    .find((d): d is string => !!d && fs.existsSync(path.join(d, 'package.json')))!;
  const mocha = path.join(dir, (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin._mocha);
  const req = config.require.flatMap((m) => ['--require', quote(m)]).join(' ');
  return `${quote(process.execPath)} ${quote(mocha)} ${req} ${config.testGlobs.map(quote).join(' ')}`;
}

function pctsOf(data: libCoverage.FileCoverageData): Pcts {
  const s = libCoverage.createFileCoverage(data).toSummary();
  return { statements: s.statements.pct, branches: s.branches.pct, functions: s.functions.pct, lines: s.lines.pct };
}

/** Run `cmd` under a coverage tool (nyc or c8); its coverage-final.json, by absolute file. */
function runTool(tool: 'nyc' | 'c8', config: ResolvedConfig, cmd: string): Record<string, libCoverage.FileCoverageData> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `govcov-${tool}-`));
  const bin = path.join(extensionRoot(), 'node_modules', tool, 'bin', tool === 'nyc' ? 'nyc.js' : 'c8.js');
  const include = config.sourceGlobs.flatMap((g) => ['--include', g]);
  const common = ['--reporter', 'json', '--report-dir', out];
  const opts = tool === 'nyc'
    ? [...include, ...common, '--temp-dir', path.join(out, 'tmp'), ...['.js', '.cjs', '.mjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'].flatMap((e) => ['--extension', e]), '--cache', 'false']
    : [...include, ...common, '--temp-directory', path.join(out, 'tmp')];
  // nyc's require hook never sees native ES modules: its documented ESM loader hook
  // (@istanbuljs/esm-loader-hook: babel-plugin-istanbul on each module nyc includes) does. Babel
  // resolves that plugin from the project's folder: NODE_PATH adds ours.
  const hook = pathToFileURL(require.resolve('@istanbuljs/esm-loader-hook')).href;
  const env = tool === 'nyc'
    ? {
        ...process.env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-warnings --loader ${hook}`.trim(),
        NODE_PATH: [path.join(extensionRoot(), 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter),
      }
    : process.env;
  const r = spawnSync(process.execPath, [bin, ...opts, 'sh', '-c', cmd], { cwd: config.root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status === null) throw new Error(`${tool} did not finish: ${r.stderr}`);
  const file = path.join(out, 'coverage-final.json');
  const data = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, libCoverage.FileCoverageData>) : {};
  if (!Object.keys(data).length) console.log(`${tool} reported no file (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  fs.rmSync(out, { recursive: true, force: true });
  return data;
}

const at = (p: { line: number; column: number }) => `${p.line}:${p.column}`;

/**
 * The items of `ref` that exist in the source (`ours` holds them all): istanbul run on tsx's
 * output also counts what esbuild adds (module helpers, export getters; mapped to 1:0 or to the
 * export names), which is not in the source.
 */
function sameItems(ref: libCoverage.FileCoverageData, ours: libCoverage.FileCoverageData): libCoverage.FileCoverageData {
  const keep = <T>(map: Record<string, T>, counts: Record<string, unknown>, known: Set<string>, key: (x: T) => string) => {
    const m: Record<string, T> = {};
    const c: Record<string, unknown> = {};
    for (const [id, x] of Object.entries(map)) if (known.has(key(x))) [m[id], c[id]] = [x, counts[id]];
    return [m, c] as const;
  };
  const sKey = (l: { start: { line: number; column: number } }) => at(l.start);
  // Branches by kind and line: nyc's remapped location of a logical expression may start a token off.
  const bKey = (b: { type: string; loc: { start: { line: number; column: number } } }) => `${b.type}@${b.loc.start.line}`;
  const [statementMap, s] = keep(ref.statementMap, ref.s, new Set(Object.values(ours.statementMap).map(sKey)), sKey);
  const [fnMap, f] = keep(ref.fnMap, ref.f, new Set(Object.values(ours.fnMap).map((x) => sKey(x.loc))), (x) => sKey(x.loc));
  const [branchMap, b] = keep(ref.branchMap, ref.b, new Set(Object.values(ours.branchMap).map(bKey)), bKey);
  return { path: ref.path, statementMap, s, fnMap, f, branchMap, b } as libCoverage.FileCoverageData;
}

/** `if` sides nyc's map lacks (its `if` has one location where ours has two), and our branch % without them. */
function droppedSides(ref: libCoverage.FileCoverageData, ours: libCoverage.FileCoverageData): Row['nycDropped'] {
  const one = new Set(Object.values(ref.branchMap).filter((b) => b.type === 'if' && b.locations.length === 1).map((b) => b.loc.start.line));
  let sides = 0;
  let total = 0;
  let covered = 0;
  for (const [id, b] of Object.entries(ours.branchMap)) {
    const counts = ours.b[id];
    const keep = b.type === 'if' && one.has(b.loc.start.line) ? counts.slice(0, 1) : counts;
    sides += counts.length - keep.length;
    total += keep.length;
    covered += keep.filter((c) => c > 0).length;
  }
  return sides ? { sides, oursOnNycSides: total ? (100 * covered) / total : 100 } : undefined;
}

/** Ours, nyc's and c8's figures per file. */
export async function compare(a: Args): Promise<Row[]> {
  const config = await configOf(a);
  const result = await startRun({ config }).result;
  const s = result.stats;
  console.log(`ours: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${result.loadErrors.length} files failed to load${result.error ? `; ${result.error}` : ''}`);
  for (const e of result.loadErrors.slice(0, 3)) console.log(`  ${path.relative(config.root, e.file)}: ${e.error.message}`);
  if (!s.passed) throw new Error('no test passed in our run: the figures would mean nothing (see the load errors above)');
  const analysis = await analyze(result, config);
  const cmd = a.cmd ?? defaultCommand(config);
  const nyc = runTool('nyc', config, cmd);
  const c8 = runTool('c8', config, cmd);
  // nyc cannot hook tsx (tsx compiles .ts in its own `.js` loader, past nyc's `.ts` hook): for a
  // file nyc did not report, nyc's own pipeline — istanbul-lib-instrument on tsx's output,
  // remapped with istanbul-lib-source-maps — run by the engine's `istanbul` mode.
  const missing = analysis.files.some((f) => !nyc[f.file] && f.figures.lines.covered > 0);
  const ist = missing ? (await startRun({ config, engine: 'istanbul' } as Parameters<typeof startRun>[0]).result).coverage : {};
  return analysis.files.map((f) => {
    const raw = (nyc[f.file] ?? ist[f.file]) as libCoverage.FileCoverageData | undefined;
    const ours = result.coverage[f.file] as libCoverage.FileCoverageData;
    const ref = raw && sameItems(raw, ours);
    const extra = raw && ref ? ['statementMap', 'branchMap', 'fnMap'].reduce((n, k) => n + Object.keys(raw[k as 'fnMap']).length - Object.keys(ref[k as 'fnMap']).length, 0) : 0;
    return {
      file: f.relative,
      ours: { statements: f.figures.statements.pct, branches: f.figures.branches.pct, functions: f.figures.functions.pct, lines: f.figures.lines.pct },
      ...(ref ? { nyc: pctsOf(ref), nycVia: nyc[f.file] ? 'nyc' : 'istanbul', nycExtra: extra, nycDropped: droppedSides(ref, ours) } : {}),
      ...(c8[f.file] ? { c8: pctsOf(c8[f.file]), c8Lines: explainLines(ours, c8[f.file], c8IgnoredLines(fs.readFileSync(f.file, 'utf8'))) } : {}),
    } as Row;
  });
}

/** Largest per-file difference: statements/branches/functions vs nyc, lines vs c8. */
export function worst(rows: Row[]): { nyc: number; c8: number } {
  let nyc = 0;
  let c8 = 0;
  for (const r of rows) {
    if (r.nyc) for (const m of ['statements', 'branches', 'functions'] as const) nyc = Math.max(nyc, Math.abs(r.ours[m] - r.nyc[m]));
    if (r.c8) c8 = Math.max(c8, Math.abs(r.ours.lines - r.c8.lines));
  }
  return { nyc, c8 };
}

export function renderRows(rows: Row[]): string {
  const f = (x?: number) => (x === undefined ? '-' : x.toFixed(1)).padStart(6);
  const cell = (o: number, t?: number) => `${f(o)}${f(t)}${(t !== undefined && Math.abs(o - t) > 1 ? ' !' : '  ')}`;
  const out = [`${'File'.padEnd(48)}${'  S ours   nyc'}${'  B ours   nyc'}${'  F ours   nyc'}${'  L ours   nyc    c8'}`];
  for (const r of rows) {
    out.push(`${r.file.padEnd(48)}${cell(r.ours.statements, r.nyc?.statements)}${cell(r.ours.branches, r.nyc?.branches)}` +
      `${cell(r.ours.functions, r.nyc?.functions)}${f(r.ours.lines)}${f(r.nyc?.lines)}${f(r.c8?.lines)}${r.c8 && Math.abs(r.ours.lines - r.c8.lines) > 1 ? ' !' : ''}${r.nycVia === 'istanbul' ? ' (nyc*)' : ''}${r.nycExtra ? ` (+${r.nycExtra} compiler items)` : ''}` +
      `${r.nycDropped ? ` (nyc lacks ${r.nycDropped.sides} implicit else; ours on nyc's sides: B ${r.nycDropped.oursOnNycSides.toFixed(1)})` : ''}`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const a = parseArgs(process.argv.slice(2));
  compare(a).then((rows) => {
    console.log(`suite: ${a.dir ?? 'embedded governance suite'}`);
    console.log(renderRows(rows));
    const w = worst(rows);
    console.log(`max difference: ${w.nyc.toFixed(2)} points vs nyc (statements/branches/functions), ${w.c8.toFixed(2)} points vs c8 (lines); '!' marks > 1 point; (nyc*): nyc's pipeline in-process; compiler items: what nyc counts of the compiled output (esbuild's helpers, export getters) that is not in the source, left out`);
    const far = rows.filter((r) => r.c8 && r.c8Lines && Math.abs(r.ours.lines - r.c8.lines) > 1);
    if (far.length) console.log(`lines more than 1 point from c8, file by file:\n${far.map((r) => `- ${r.file} (ours ${r.ours.lines.toFixed(1)}, c8 ${r.c8!.lines.toFixed(1)}): ${lineReason(r.c8Lines!)}`).join('\n')}`);
    process.exitCode = w.nyc <= 1 && w.c8 <= 1 ? 0 : 1;
  });
}
