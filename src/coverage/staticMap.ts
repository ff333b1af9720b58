/**
 * Static denominators: a source file's statements, branches and functions exactly as istanbul
 * counts them, by running istanbul-lib-instrument's own program visitor on the file's source
 * (TypeScript or JavaScript, ESM or CommonJS, parsed by Babel). Nothing here depends on what
 * ran: the same file always has the same `statementMap`/`branchMap`/`fnMap`, whether a function
 * was called or not, with or without per-test coverage, under any `--grep`. V8's ranges only
 * decide the counts (hits.ts).
 *
 * Besides the maps, each item gets its *probes*: the source positions whose V8 count is the
 * item's count — a statement's start, a function's body start, a branch side's first token (an
 * `if` without `else`: the `if`'s count minus its consequent's; a default parameter: the
 * function's count, since V8 keeps no range for it, see hits.ts).
 */
import { createHash } from 'crypto';
import type { FileCoverageData } from 'istanbul-lib-coverage';
import type { Position } from './model';

/** Where an item's count is read: at a position, or the difference of two (an implicit `else`). */
export type Probe = { at: Position } | { minus: [Position, Position] };

/** A file's istanbul maps (zero counts) and the probe of every item. */
export interface StaticFile {
  data: FileCoverageData;
  s: Probe[];
  f: Probe[];
  b: Probe[][];
}

interface BabelNode {
  type: string;
  loc?: { start: Position; end: Position } | null;
  [k: string]: unknown;
}
interface BabelPath {
  node: BabelNode;
}

interface Babel {
  parser: { parse(code: string, opts: object): BabelNode };
  traverse: (ast: BabelNode, visitor: object) => void;
  types: unknown;
  programVisitor(types: unknown, file: string, opts: object): { enter(p: BabelPath): void; exit(p: BabelPath): { fileCoverage: FileCoverageData } };
}
let loaded: Babel | undefined;
/** Babel and istanbul's visitor, loaded on first use (not when the extension or the CLI starts). */
function babel(): Babel {
  /* eslint-disable @typescript-eslint/no-var-requires */
  loaded ??= {
    parser: require('@babel/parser'),
    traverse: require('@babel/traverse').default,
    types: require('@babel/types'),
    // The visitor alone (the package's index also loads its instrumenter, i.e. all of @babel/core).
    programVisitor: require('istanbul-lib-instrument/src/visitor'),
  };
  /* eslint-enable @typescript-eslint/no-var-requires */
  return loaded;
}

/** The parser plugins for a file: TypeScript for .ts/.mts/.cts, JSX for .tsx/.jsx. */
function pluginsFor(file: string): unknown[] {
  const plugins: unknown[] = ['decorators-legacy', 'importAttributes'];
  if (/\.[mc]?tsx?$/.test(file)) plugins.push('typescript');
  if (/\.[jt]sx$/.test(file) || /\.[mc]?js$/.test(file)) plugins.push('jsx');
  return plugins;
}

/** Parse with Babel's parser as istanbul's instrumenter does (unambiguous module type). */
function parse(file: string, text: string): BabelNode {
  return babel().parser.parse(text, {
    sourceFilename: file,
    sourceType: 'unambiguous',
    plugins: pluginsFor(file),
    allowReturnOutsideFunction: true,
    allowImportExportEverywhere: true,
  });
}

const key = (p: Position | undefined) => (p ? `${p.line}:${p.column}` : '');

/**
 * Where each `if`'s branches and each default parameter are read. Collected before istanbul's
 * visitor runs, because the visitor rewrites the tree (it wraps a missing `else` in a block).
 */
function collectSides(ast: BabelNode): Map<string, Probe[]> {
  const sides = new Map<string, Probe[]>();
  const start = (n: unknown) => (n as BabelNode | null)?.loc?.start;
  babel().traverse(ast, {
    IfStatement(p: BabelPath) {
      const n = p.node;
      const cons = start(n.consequent)!;
      const alt = start(n.alternate);
      sides.set(`if@${key(n.loc!.start)}`, [{ at: cons }, alt ? { at: alt } : { minus: [n.loc!.start, cons] }]);
    },
    // A case is read at its first statement (V8's range for a clause is its body; the `case`
    // test is evaluated in the switch's range). An empty case falls through: read at the next
    // case that has a statement (V8 cannot tell the two apart; istanbul counts both).
    SwitchStatement(p: BabelPath) {
      const cases = p.node.cases as BabelNode[];
      const body = (c: BabelNode) => (c.consequent as BabelNode[])[0];
      sides.set(`switch@${key(p.node.loc!.start)}`, cases.map((c, i) => {
        const next = cases.slice(i).map(body).find(Boolean);
        return { at: start(next) ?? c.loc!.start };
      }));
    },
    AssignmentPattern(p: BabelPath) {
      const n = p.node;
      sides.set(`default-arg@${key(n.loc!.start)}`, [{ at: start(n.right)! }]);
    },
  });
  return sides;
}

/** Probes of one branch: from the collected sides, else each location's start. */
function branchProbes(branch: FileCoverageData['branchMap'][string], sides: Map<string, Probe[]>): Probe[] {
  const own = sides.get(`${branch.type}@${key(branch.loc.start)}`);
  if (own) return own;
  return branch.locations.map((l) => ({ at: l.start }));
}

function build(file: string, text: string): StaticFile {
  const ast = parse(file, text);
  const sides = collectSides(ast);
  const visitor = babel().programVisitor(babel().types, file, { coverageVariable: '__govcov__', inputSourceMap: undefined });
  let data: FileCoverageData | undefined;
  babel().traverse(ast, {
    Program: {
      enter: (p: BabelPath) => visitor.enter(p),
      exit: (p: BabelPath) => {
        data = visitor.exit(p).fileCoverage;
      },
    },
  });
  const cov = JSON.parse(JSON.stringify(data)) as FileCoverageData & { hash?: string; _coverageSchema?: string };
  delete cov.hash;
  delete cov._coverageSchema;
  cov.path = file;
  return {
    data: cov,
    s: Object.values(cov.statementMap).map((l) => ({ at: l.start })),
    f: Object.values(cov.fnMap).map((fn) => ({ at: fn.loc.start })),
    b: Object.values(cov.branchMap).map((br) => branchProbes(br, sides)),
  };
}

const cache = new Map<string, StaticFile>();

/**
 * The static map of a file's source (cached by content). The returned `data` is a fresh copy
 * with every count at zero; the probes are shared.
 */
export function staticMap(file: string, text: string): StaticFile {
  const hash = createHash('sha1').update(text).digest('hex');
  const k = `${file}\u0000${hash}`;
  let hit = cache.get(k);
  if (!hit) {
    for (const old of cache.keys()) if (old.startsWith(`${file}\u0000`)) cache.delete(old);
    hit = build(file, text);
    cache.set(k, hit);
  }
  return { ...hit, data: JSON.parse(JSON.stringify(hit.data)) as FileCoverageData };
}
