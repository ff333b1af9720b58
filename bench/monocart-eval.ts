/**
 * The measurement behind choosing istanbul's own program visitor + V8 counts (src/coverage/v8.ts)
 * over monocart-coverage-reports (AST-based V8 → istanbul): the same V8 coverage (one in-process
 * mocha run of a suite, tsx's compiled output captured) converted by both, per-file figures and
 * conversion time side by side.
 *
 *   npx tsx bench/monocart-eval.ts [DIR]      # DIR: a project with a governance-coverage config (default: the embedded suite)
 */
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import fg from 'fast-glob';
import libCoverage from 'istanbul-lib-coverage';
import { embeddedConfig, loadConfig } from '../src/coverage/index';
import { convert } from '../src/coverage/v8';

type Fn = inspector.Profiler.FunctionCoverage;

async function main(): Promise<void> {
  const dir = process.argv[2];
  const config = dir ? await loadConfig(path.resolve(dir)) : embeddedConfig();
  const sources = new Set(fg.sync(config.sourceGlobs, { cwd: config.root, absolute: true, ignore: ['**/*.d.ts'] }).map((f) => path.resolve(f)));
  for (const r of config.require) require(require.resolve(r, { paths: [config.root, __dirname] }));
  const compiled = new Map<string, string>();
  const Module = require('module') as { prototype: { _compile(c: string, f: string): unknown } };
  const orig = Module.prototype._compile;
  Module.prototype._compile = function (c: string, f: string) {
    if (sources.has(f)) compiled.set(f, c);
    return orig.call(this, c, f);
  };
  const session = new inspector.Session();
  session.connect();
  const post = <T>(m: string, p?: object) => new Promise<T>((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r as T))));
  await post('Profiler.enable');
  await post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  const Mocha = require('mocha');
  const mocha = new Mocha({ reporter: 'dot', timeout: config.timeout });
  for (const f of fg.sync(config.testGlobs, { cwd: config.root, absolute: true }).sort()) mocha.addFile(f);
  await new Promise<void>((done) => mocha.run(() => done()));
  const { result } = await post<{ result: Array<{ url: string; functions: Fn[] }> }>('Profiler.takePreciseCoverage');
  const urls = new Map([...compiled.keys()].map((f) => [pathToFileURL(f).href, f]));
  const scripts = result.filter((s) => urls.has(s.url));

  let t0 = performance.now();
  const ours = await convert([{ scripts: new Map(scripts.map((s) => [urls.get(s.url)!, s.functions])) }], compiled, false);
  const oursMs = performance.now() - t0;

  const MCR = require('monocart-coverage-reports');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-mcr-'));
  t0 = performance.now();
  const mcr = MCR({ reports: [['json', { file: 'coverage-final.json' }]], outputDir: out, logging: 'error' });
  await mcr.add(scripts.map((s) => ({ url: s.url, scriptId: '0', source: compiled.get(urls.get(s.url)!), functions: s.functions })));
  await mcr.generate();
  const mcrMs = performance.now() - t0;
  const theirs = JSON.parse(fs.readFileSync(path.join(out, 'coverage-final.json'), 'utf8')) as Record<string, libCoverage.FileCoverageData>;
  const byFile = new Map(Object.values(theirs).map((d) => [path.resolve(config.root, d.path), d]));

  const pct = (d?: libCoverage.FileCoverageData) => {
    if (!d) return '        -         -         -         -';
    const s = libCoverage.createFileCoverage(d).toSummary();
    return [s.statements, s.branches, s.functions, s.lines].map((m) => `${m.pct.toFixed(1).padStart(5)}/${String(m.total).padEnd(3)}`).join(' ');
  };
  console.log(`${'file'.padEnd(44)} ours: S/total B/total F/total L/total   |   monocart: S B F L`);
  for (const f of [...compiled.keys()].sort()) {
    console.log(`${path.relative(config.root, f).padEnd(44)} ${pct(ours.coverage[f] as libCoverage.FileCoverageData)}   |   ${pct(byFile.get(f))}`);
  }
  console.log(`conversion: ours ${oursMs.toFixed(0)} ms, monocart ${mcrMs.toFixed(0)} ms (${compiled.size} files)`);
  fs.rmSync(out, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
