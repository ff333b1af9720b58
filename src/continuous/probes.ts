/**
 * Per-test coverage by probes: the test child inserts a one-shot probe at the start of every
 * block of each source file's compiled JavaScript (function bodies, `if`/`else`/loop/`try`
 * blocks, `case` clauses, the sides of `?:` and the right operand of `&&`/`||`/`??`). A probe is
 *
 *     __gcf[id]||__gcv(id)
 *
 * — a flag load and a branch once fired; the first time it fires in a test `__gcv` sets the flag
 * and appends the id to the touched list. (No assignment inline: V8 infers the names of
 * anonymous functions from the assignments around them, and `__gcf[id]=1` next to a wrapped
 * arrow renamed it `__gcf.<computed>`, which the conversion would then report.) At a test's end the child sends the touched ids and clears exactly those
 * flags: the per-test cost grows with what the test touched, not with everything compiled (a
 * V8 take per test costs time for every function V8 ever compiled, see src/coverage/v8.ts).
 * V8 block coverage still gives the totals (one take at the end); the probes only say which
 * test ran which block.
 *
 * Inserting text moves offsets, so the child maps every V8 range of an instrumented file back to
 * the original code ({@link OffsetMap}) before it sends a take, and ranges that V8 made for the
 * probes' own `||` fall inside inserted text and are dropped: the runner and the conversion see
 * the uninstrumented code and its ranges, exactly as without probes. Line numbers never move (no
 * newline is inserted); columns of stack frames inside source files do, by the probes' length.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
import type * as BabelParser from '@babel/parser';

/** A probe's block in the original code: `[start, end)` offsets; `fn` when it is a function. */
export interface ProbeBlock {
  start: number;
  end: number;
  fn?: boolean;
}

/** An instrumented file. */
export interface Instrumented {
  code: string;
  /** Insertions as `[original offset, length]`, ascending. */
  inserts: Array<[number, number]>;
  /** Probe blocks, by local index (probe id = base + index). */
  blocks: ProbeBlock[];
}

type Node = { type: string; start: number; end: number; [k: string]: unknown };

let parser: typeof BabelParser | undefined;

/** Where esbuild's helper prologue ends (nothing before it is instrumented; see v8.ts stripHelpers). */
function prologueEnd(code: string): number {
  const marker = code.indexOf('module.exports=__toCommonJS(');
  return marker < 0 ? 0 : code.indexOf(';', marker);
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ObjectMethod', 'ClassMethod', 'ClassPrivateMethod']);
const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

/**
 * Instrument `code` with probes numbered from `base`. Returns `undefined` when the code does not
 * parse as a script (it then runs uninstrumented: no per-test data for that file).
 */
export function instrumentProbes(code: string, base: number): Instrumented | undefined {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  parser ??= require('@babel/parser') as typeof BabelParser;
  let ast: Node;
  try {
    ast = parser.parse(code, { sourceType: 'script', allowReturnOutsideFunction: true, errorRecovery: false }) as unknown as Node;
  } catch {
    return undefined;
  }
  const skipBefore = prologueEnd(code);
  const blocks: ProbeBlock[] = [];
  const ins: Array<{ at: number; text: string; order: number; close: boolean }> = [];
  let order = 0;
  const probe = (block: ProbeBlock) => {
    const id = base + blocks.length;
    blocks.push(block);
    return `__gcf[${id}]||__gcv(${id})`;
  };
  const add = (at: number, text: string, close = false) => ins.push({ at, text, order: order++, close });
  /** `(probe,expr)` */
  const wrapExpr = (e: Node, block: ProbeBlock = { start: e.start, end: e.end }) => {
    add(e.start, `(${probe(block)},`);
    add(e.end, ')', true);
  };
  /** `{probe;stmt}` for a statement body without braces; inside the braces of a block. */
  const body = (s: Node | null | undefined, block?: ProbeBlock) => {
    if (!s) return;
    if (s.type === 'BlockStatement') {
      add(s.start + 1, `${probe(block ?? { start: s.start, end: s.end })};`);
      blocked.add(s);
    } else {
      add(s.start, `{${probe(block ?? { start: s.start, end: s.end })};`);
      add(s.end, '}', true);
    }
  };
  const blocked = new Set<Node>();
  const visit = (n: Node, outside: boolean) => {
    const here = outside || n.start < skipBefore;
    if (!here) {
      if (FUNCTIONS.has(n.type)) {
        const b = n.body as Node;
        const block = { start: n.start, end: n.end, fn: true };
        if (b.type === 'BlockStatement') body(b, block);
        else wrapExpr(b, block);
      } else if (n.type === 'IfStatement') {
        body(n.consequent as Node);
        body(n.alternate as Node | null);
      } else if (LOOPS.has(n.type)) body(n.body as Node);
      else if (n.type === 'BlockStatement' && !blocked.has(n)) body(n);
      else if (n.type === 'SwitchCase') {
        const first = (n.consequent as Node[])[0];
        if (first) add(first.start, `${probe({ start: first.start, end: (n.consequent as Node[]).at(-1)!.end })};`);
      } else if (n.type === 'ConditionalExpression') {
        wrapExpr(n.consequent as Node);
        wrapExpr(n.alternate as Node);
      } else if (n.type === 'LogicalExpression') wrapExpr(n.right as Node);
    }
    for (const key of Object.keys(n)) {
      if (key === 'loc' || key === 'extra' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
      const v = n[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof (c as Node).type === 'string') visit(c as Node, outside);
      } else if (v && typeof (v as Node).type === 'string') visit(v as Node, outside);
    }
  };
  visit(ast, false);
  if (!blocks.length) return { code, inserts: [], blocks };
  // Same offset: closers first, inner (visited later) before outer; then openers, outer first.
  ins.sort((a, b) => a.at - b.at || (a.close === b.close ? (a.close ? b.order - a.order : a.order - b.order) : a.close ? -1 : 1));
  let out = '';
  let last = 0;
  const inserts: Array<[number, number]> = [];
  for (const i of ins) {
    out += code.slice(last, i.at) + i.text;
    last = i.at;
    const prev = inserts.at(-1);
    if (prev && prev[0] === i.at) prev[1] += i.text.length;
    else inserts.push([i.at, i.text.length]);
  }
  out += code.slice(last);
  return { code: out, inserts, blocks };
}

/**
 * Maps offsets of the instrumented code back to the original code. An offset inside inserted
 * text maps to the insertion point.
 */
export class OffsetMap {
  /** instrumented start of each insertion, its length, its original offset */
  private readonly starts: number[] = [];
  private readonly lens: number[] = [];
  private readonly origins: number[] = [];
  private readonly before: number[] = [];

  constructor(inserts: ReadonlyArray<[number, number]>) {
    let shift = 0;
    for (const [at, len] of inserts) {
      this.starts.push(at + shift);
      this.lens.push(len);
      this.origins.push(at);
      this.before.push(shift);
      shift += len;
    }
  }

  /** Index of the last insertion starting at or before `x` (instrumented), -1 if none. */
  private find(x: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= x) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  toOriginal(x: number): number {
    const i = this.find(x);
    if (i < 0) return x;
    if (x < this.starts[i] + this.lens[i]) return this.origins[i];
    return x - this.before[i] - this.lens[i];
  }

  /** True when `[start, end)` (instrumented) lies inside one insertion (a probe's own range). */
  inserted(start: number, end: number): boolean {
    const i = this.find(start);
    return i >= 0 && end <= this.starts[i] + this.lens[i];
  }
}

/** V8 function coverage of an instrumented script, mapped back to the original code. */
export function mapFunctions<F extends { ranges: Array<{ startOffset: number; endOffset: number; count: number }> }>(map: OffsetMap, fns: F[]): F[] {
  const out: F[] = [];
  for (const f of fns) {
    if (map.inserted(f.ranges[0].startOffset, f.ranges[0].endOffset)) continue;
    const ranges = f.ranges
      .filter((r) => !map.inserted(r.startOffset, r.endOffset))
      .map((r) => ({ startOffset: map.toOriginal(r.startOffset), endOffset: map.toOriginal(r.endOffset), count: r.count }));
    out.push({ ...f, ranges });
  }
  return out;
}
