/**
 * The public way in to a function: the nearest exported function, public method or constructor a
 * test can call — preferring one the project's tests already import — and the call path from it
 * (`execute → run → undo`), searched backwards over the call graph of callPaths.ts.
 */
import * as ts from 'typescript';
import { parseSource, type FunctionInfo } from './ast';
import { classOf, edgesOf, exportsOf, isPrivateMember, type Edge, type FnRef } from './callPaths';
import type { Access, Layout } from './layout';

export interface WayIn {
  entry: FnRef;
  /** entry … target (the target last) */
  path: FnRef[];
  /** How the test reaches the entry's module export (`undefined`: no existing import reaches it). */
  access?: Access;
  /** e.g. `new Executor().execute(steps)`, `bodyParser.json(options)` */
  call: string;
  /** The path passes through a function its parent returns: the test calls what the entry returns. */
  callsReturned: boolean;
}

const short = (fn: FunctionInfo) => fn.name.slice(fn.name.lastIndexOf('.') + 1);

/** The path in words: `execute → run → undo`. */
export function pathText(way: WayIn): string {
  return way.path.map((r) => short(r.fn)).join(' → ');
}

function params(fn: FunctionInfo): string {
  const n = fn.node as ts.FunctionLikeDeclaration;
  return n.parameters.map((p) => p.name.getText()).join(', ');
}

/** The export name of a top-level function or of a method's class, if exported. */
function exportOf(ref: FnRef): { name: string; className?: string; member?: string } | undefined {
  // A method of an exported object literal: `helpers.pick`.
  if (ts.isObjectLiteralExpression(ref.fn.node.parent) && ref.fn.name.split('.').length === 2) {
    const [obj, member] = ref.fn.name.split('.');
    const e = exportsOf(ref.file).find((x) => x.local === obj);
    return e ? { name: e.exported, member } : undefined;
  }
  const cls = classOf(ref.fn);
  if (cls) {
    if (isPrivateMember(ref.fn) || cls.includes('.')) return undefined;
    const e = exportsOf(ref.file).find((x) => x.local === cls);
    return e ? { name: e.exported, className: cls } : undefined;
  }
  if (ref.fn.name.includes('.')) return undefined;
  const e = exportsOf(ref.file).find((x) => x.local === ref.fn.name);
  return e ? { name: e.exported } : undefined;
}

function callText(ref: FnRef, exp: { name: string; className?: string; member?: string }, access: Access | undefined): string {
  const head = access?.expression ?? (exp.name === 'default' || exp.name === 'module.exports' ? exp.className ?? ref.fn.name : exp.name);
  if (exp.member) return `${head}.${exp.member}(${params(ref.fn)})`;
  if (!exp.className) return `${head}(${params(ref.fn)})`;
  const cls = exp.className;
  if (ref.fn.name === `${cls}.constructor`) return `new ${head}(${params(ref.fn)})`;
  const ctor = parseSource(ref.file).functions.find((f) => f.name === `${cls}.constructor`);
  return `new ${head}(${ctor ? params(ctor) : ''}).${short(ref.fn)}(${params(ref.fn)})`;
}

/** A call graph over all source files, built once per analysis. */
export function callGraph(sourceFiles: string[]): Map<string, Edge[]> {
  const incoming = new Map<string, Edge[]>();
  for (const file of sourceFiles) {
    let edges: Edge[];
    try {
      edges = edgesOf(file, sourceFiles);
    } catch {
      continue;
    }
    for (const e of edges) {
      const k = `${e.to.file}#${e.to.fn.name}`;
      (incoming.get(k) ?? incoming.set(k, []).get(k)!).push(e);
    }
  }
  return incoming;
}

/** The nearest public way in to `target` (breadth-first over callers), preferring one tests already import. */
export function wayIn(target: FnRef, incoming: Map<string, Edge[]>, layout: Layout): WayIn | undefined {
  const seen = new Set<string>();
  const found: Array<{ way: WayIn; depth: number }> = [];
  let frontier: Array<{ ref: FnRef; path: FnRef[]; returned: FnRef | undefined }> = [{ ref: target, path: [target], returned: undefined }];
  for (let depth = 0; depth < 8 && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { ref, path, returned } of frontier) {
      const key = `${ref.file}#${ref.fn.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const exp = exportOf(ref);
      if (exp) {
        const testFile = layout.testFileFor(ref.file);
        const access = layout.accessFor(ref.file, exp.name, testFile) ?? (depth === 0 ? layout.importFor(ref.file, exp.name, testFile) : undefined);
        const call = callText(ref, exp, access) + (returned ? `(${params(returned.fn)})` : '');
        found.push({ way: { entry: ref, path, ...(access ? { access } : {}), call, callsReturned: !!returned }, depth });
      }
      for (const e of incoming.get(key) ?? []) {
        next.push({ ref: e.from, path: [e.from, ...path], returned: e.via === 'returned' && path.length === 1 ? ref : e.via === 'returned' ? path[0] : returned });
      }
    }
    frontier = next;
  }
  const imported = (w: WayIn) => !!w.access && !w.access.generated;
  return (found.find((f) => f.depth <= 2 && imported(f.way)) ?? found.find((f) => f.depth === 0) ?? found.find((f) => imported(f.way)) ?? found[0])?.way;
}
