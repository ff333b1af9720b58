/**
 * Hit counts from V8 ranges for a file's static map (staticMap.ts).
 *
 * Each probe (a source position) is mapped to the JavaScript V8 ran — through the compiled
 * file's source map (tsx's inline map), or unchanged when the file ran as written — and gets the
 * count of the innermost V8 range containing it. V8 omits a nested block range whose count
 * equals its parent's, so "innermost containing range" is its own rule for reading a count.
 *
 * Known limit: V8 keeps no range for a parameter default (`b = 5`), so a default's count is its
 * function's count: a default that was never used reads as taken once the function ran (nyc
 * reports it not taken; c8 has no such branch).
 */
import type { Profiler } from 'inspector';
import type { Position } from './model';
import type { Probe, StaticFile } from './staticMap';

type FunctionCoverage = Profiler.FunctionCoverage;

/* eslint-disable @typescript-eslint/no-var-requires */
const traceMapping = require('@jridgewell/trace-mapping') as {
  TraceMap: new (map: unknown) => unknown;
  decodedMappings(map: unknown): number[][][];
};
/* eslint-enable @typescript-eslint/no-var-requires */

/** Original position → offset in the code V8 ran. */
export interface PositionMapper {
  toGenerated(pos: Position): number;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json(?:;charset=utf-8)?;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * A mapper for the code V8 ran. With an inline source map: a position maps to the first mapped
 * generated token at or after it in the original (esbuild maps every token, so a statement's
 * first token maps to itself). Without one: the position's offset in `code` itself.
 */
export function positionMapper(code: string): PositionMapper {
  const genStarts = lineStarts(code);
  const m = INLINE_MAP.exec(code);
  if (!m) {
    return { toGenerated: (p) => (genStarts[p.line - 1] ?? code.length) + p.column };
  }
  const map = new traceMapping.TraceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
  const decoded = traceMapping.decodedMappings(map);
  // (original line, original column, generated offset), sorted by original position.
  const points: Array<[number, number, number]> = [];
  decoded.forEach((segments, genLine) => {
    for (const s of segments) if (s.length >= 4 && s[1] === 0) points.push([s[2] + 1, s[3], genStarts[genLine] + s[0]]);
  });
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return {
    toGenerated(p) {
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const q = points[mid];
        if (q[0] < p.line || (q[0] === p.line && q[1] < p.column)) lo = mid + 1;
        else hi = mid;
      }
      return lo < points.length ? points[lo][2] : code.length;
    },
  };
}

/** Count of the innermost range containing each offset (`offsets` in any order). */
export function countsAt(functions: FunctionCoverage[], offsets: number[]): number[] {
  const ranges = functions.flatMap((f) => f.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const order = offsets.map((o, i) => [o, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(offsets.length).fill(0);
  const stack: Profiler.CoverageRange[] = [];
  let next = 0;
  for (const [o, i] of order) {
    while (next < ranges.length && ranges[next].startOffset <= o) {
      const r = ranges[next++];
      while (stack.length && stack[stack.length - 1].endOffset <= r.startOffset) stack.pop();
      stack.push(r);
    }
    while (stack.length && stack[stack.length - 1].endOffset <= o) stack.pop();
    // Ranges are nested, but a popped-over sibling may leave an outer one below: find the innermost.
    let best: Profiler.CoverageRange | undefined;
    for (let k = stack.length - 1; k >= 0; k--) {
      const r = stack[k];
      if (r.startOffset <= o && o < r.endOffset) {
        best = r;
        break;
      }
    }
    out[i] = best ? best.count : 0;
  }
  return out;
}

/** Every position the probes of a static map read, in a fixed order. */
function probePositions(map: StaticFile): Position[] {
  const out: Position[] = [];
  const add = (p: Probe) => {
    if ('at' in p) out.push(p.at);
    else out.push(...p.minus);
  };
  map.s.forEach(add);
  map.f.forEach(add);
  map.b.forEach((bs) => bs.forEach(add));
  return out;
}

/** The generated offsets of a static map's probes (compute once per file, reuse per window). */
export function probeOffsets(map: StaticFile, mapper: PositionMapper): number[] {
  return probePositions(map).map((p) => mapper.toGenerated(p));
}

/** Each item's first probe offset in the code V8 ran (`s`, `f`, `b` in the static map's order). */
export function itemOffsets(map: StaticFile, offsets: number[]): { s: number[]; f: number[]; b: number[][] } {
  let k = 0;
  const first = (p: Probe): number => {
    const o = offsets[k];
    k += 'at' in p ? 1 : 2;
    return o;
  };
  const s = map.s.map(first);
  const f = map.f.map(first);
  const b = map.b.map((bs) => bs.map(first));
  return { s, f, b };
}

/** Counts of one window: `s`, `f`, `b` in the static map's order. */
export function hitsOf(map: StaticFile, offsets: number[], functions: FunctionCoverage[]): { s: number[]; f: number[]; b: number[][] } {
  const counts = countsAt(functions, offsets);
  let k = 0;
  const read = (p: Probe): number => {
    if ('at' in p) return counts[k++];
    const whole = counts[k++];
    const part = counts[k++];
    return Math.max(0, whole - part);
  };
  const s = map.s.map(read);
  const f = map.f.map(read);
  const b = map.b.map((bs) => bs.map(read));
  return { s, f, b };
}
