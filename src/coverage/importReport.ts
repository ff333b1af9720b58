/**
 * Coverage made elsewhere (c8, nyc, a CI job): `lcov.info`, istanbul's `coverage-final.json` or a
 * Cobertura `cobertura(-coverage).xml`, read into istanbul coverage data so the analysis, the
 * table, the gaps, the hints and the editor's gutter marks work on it without running anything.
 *
 * lcov and Cobertura carry lines, functions and branch counts but no statement ranges: each
 * reported line becomes one statement spanning the line, each function its declaration line,
 * each branch block its line; line figures therefore equal the report's. Relative paths resolve
 * against the report's `SF:`/`<source>` base, else the root.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CoverageMapData, FileCoverageData, RunResult } from './model';

/** A report that cannot be read, with the reason. */
export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

type Loc = { start: { line: number; column: number }; end: { line: number; column: number } };

/** Lengths of a source file's lines (empty when unreadable). */
function lineLengths(file: string): number[] {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.length);
  } catch {
    return [];
  }
}

/** Builds one file's istanbul data from per-line hits, functions and branch blocks. */
function fileData(
  file: string,
  lines: Map<number, number>,
  fns: Array<{ name: string; line: number; hits: number }>,
  branches: Map<string, { line: number; counts: number[] }>,
): FileCoverageData {
  const data: FileCoverageData = { path: file, statementMap: {}, s: {}, fnMap: {}, f: {}, branchMap: {}, b: {} };
  const lengths = lineLengths(file);
  const lineLoc = (line: number): Loc => ({ start: { line, column: 0 }, end: { line, column: lengths[line - 1] ?? 0 } });
  [...lines.entries()].sort((a, b) => a[0] - b[0]).forEach(([line, hits], i) => {
    data.statementMap[i] = lineLoc(line);
    data.s[i] = hits;
  });
  fns.forEach((fn, i) => {
    data.fnMap[i] = { name: fn.name, decl: lineLoc(fn.line), loc: lineLoc(fn.line), line: fn.line };
    data.f[i] = fn.hits;
  });
  [...branches.values()].forEach((br, i) => {
    data.branchMap[i] = { type: 'branch', line: br.line, loc: lineLoc(br.line), locations: br.counts.map(() => lineLoc(br.line)) };
    data.b[i] = br.counts;
  });
  return data;
}

/** lcov tracefile → coverage. */
export function parseLcov(text: string, base: string): CoverageMapData {
  const out: CoverageMapData = {};
  for (const record of text.split(/^end_of_record\s*$/m)) {
    const sf = /^SF:(.+)$/m.exec(record);
    if (!sf) continue;
    const file = path.resolve(base, sf[1].trim());
    const lines = new Map<number, number>();
    const fnLines = new Map<string, number>();
    const fnHits = new Map<string, number>();
    const branches = new Map<string, { line: number; counts: number[] }>();
    for (const [, key, value] of record.matchAll(/^([A-Z]+):(.*)$/gm)) {
      const parts = value.split(',');
      if (key === 'DA') lines.set(Number(parts[0]), (lines.get(Number(parts[0])) ?? 0) + Number(parts[1]));
      else if (key === 'FN') fnLines.set(parts.slice(1).join(','), Number(parts[0]));
      else if (key === 'FNDA') fnHits.set(parts.slice(1).join(','), Number(parts[0]));
      else if (key === 'BRDA') {
        const k = `${parts[0]}:${parts[1]}`;
        const br = branches.get(k) ?? { line: Number(parts[0]), counts: [] };
        br.counts[Number(parts[2])] = parts[3] === '-' ? 0 : Number(parts[3]);
        branches.set(k, br);
      }
    }
    for (const br of branches.values()) br.counts = Array.from(br.counts, (c) => c ?? 0);
    const fns = [...fnLines].map(([name, line]) => ({ name, line, hits: fnHits.get(name) ?? 0 }));
    out[file] = fileData(file, lines, fns, branches);
  }
  return out;
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/** Cobertura XML → coverage. */
export function parseCobertura(text: string, base: string): CoverageMapData {
  const out: CoverageMapData = {};
  const sources = [...text.matchAll(/<source>([^<]*)<\/source>/g)].map((m) => m[1].trim());
  const locate = (name: string) => {
    for (const s of sources) {
      const f = path.resolve(base, s, name);
      if (fs.existsSync(f)) return f;
    }
    return path.resolve(sources[0] ? path.resolve(base, sources[0]) : base, name);
  };
  for (const m of text.matchAll(/<class\b([^>]*)>([\s\S]*?)<\/class>/g)) {
    const filename = attr(m[1], 'filename');
    if (!filename) continue;
    const file = locate(filename);
    const body = m[2];
    const fns = [...body.matchAll(/<method\b([^>]*)>([\s\S]*?)<\/method>/g)].map((fm) => {
      const first = /<line\b([^>]*)\/?>/.exec(fm[2])?.[1] ?? '';
      return { name: attr(fm[1], 'name') ?? '(anonymous)', line: Number(attr(first, 'number') ?? 0), hits: Number(attr(first, 'hits') ?? 0) };
    });
    const lines = new Map<number, number>();
    const branches = new Map<string, { line: number; counts: number[] }>();
    for (const lm of body.replace(/<methods>[\s\S]*?<\/methods>/g, '').matchAll(/<line\b([^>]*)\/?>/g)) {
      const line = Number(attr(lm[1], 'number'));
      lines.set(line, (lines.get(line) ?? 0) + Number(attr(lm[1], 'hits') ?? 0));
      const cond = /\((\d+)\/(\d+)\)/.exec(attr(lm[1], 'condition-coverage') ?? '');
      if (attr(lm[1], 'branch') === 'true' && cond) {
        const [covered, total] = [Number(cond[1]), Number(cond[2])];
        branches.set(String(line), { line, counts: Array.from({ length: total }, (_, i) => (i < covered ? 1 : 0)) });
      }
    }
    out[file] = fileData(file, lines, fns.filter((f) => f.line > 0), branches);
  }
  return out;
}

/** istanbul's coverage-final.json → coverage (keys and `path` made absolute). */
export function parseIstanbulJson(text: string, base: string): CoverageMapData {
  const raw = JSON.parse(text) as Record<string, FileCoverageData>;
  const out: CoverageMapData = {};
  for (const [key, data] of Object.entries(raw)) {
    const file = path.resolve(base, data.path ?? key);
    out[file] = { ...data, path: file };
  }
  return out;
}

/** Reads a coverage report by its content: lcov, Cobertura XML or istanbul JSON. */
export function readCoverageReport(file: string, root: string): CoverageMapData {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError(`cannot read the coverage report ${file}: ${(err as Error).message}`);
  }
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{')) return parseIstanbulJson(text, root);
    if (trimmed.startsWith('<')) return parseCobertura(text, root);
    if (/^(TN|SF):/m.test(text)) return parseLcov(text, root);
  } catch (err) {
    throw new ReportError(`cannot parse the coverage report ${file}: ${(err as Error).message}`);
  }
  throw new ReportError(`${file} is not an lcov tracefile, a coverage-final.json or a Cobertura XML report`);
}

/** A run result holding only imported coverage (no tests ran). */
export function reportResult(coverage: CoverageMapData): RunResult {
  return { stats: { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 }, cancelled: false, timedOut: false, loadErrors: [], coverage, testTitles: {} };
}
