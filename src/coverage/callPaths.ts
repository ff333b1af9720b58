/**
 * Public ways in: what a source file exports (ESM `export`, CommonJS `module.exports`/`exports.x`,
 * re-exports) and the call graph between the functions of the source files (`this.run(…)`,
 * `read(…)`, `new Executor(…)`, a function returned or passed on by the function it is nested
 * in), so that a hint names the exported function or public method to call and the call path
 * from it to the gap (`execute → run → undo`) — never a private name as the thing to call.
 */
import * as path from 'path';
import * as ts from 'typescript';
import { parseSource, type FunctionInfo, type ParsedSource } from './ast';

/** One export of a module. `exported` is `module.exports` for a CommonJS module's own value. */
export interface ExportEntry {
  exported: string;
  /** the exported local binding (function or class name) */
  local?: string;
  /** re-export: the module (absolute, no extension) and the name it exports there */
  from?: string;
  imported?: string;
}

const strip = (f: string) => f.replace(/\.(c|m)?(t|j)sx?$/, '');
const resolveFrom = (file: string, spec: string) => (spec.startsWith('.') ? strip(path.resolve(path.dirname(file), spec)) : undefined);

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === kind);
}

function requireTarget(file: string, e: ts.Expression, sf: ts.SourceFile): string | undefined {
  if (ts.isCallExpression(e) && e.expression.getText(sf) === 'require' && e.arguments[0] && ts.isStringLiteral(e.arguments[0])) {
    return resolveFrom(file, e.arguments[0].text);
  }
  return undefined;
}

/** A CommonJS `module.exports = …` / `exports.x = …` assignment as export entries. */
function cjsExports(file: string, st: ts.Statement, sf: ts.SourceFile): ExportEntry[] {
  if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return [];
  const left = st.expression.left.getText(sf);
  const right = st.expression.right;
  const value = (exported: string, e: ts.Expression): ExportEntry => {
    const from = requireTarget(file, e, sf);
    if (from) return { exported, from, imported: 'module.exports' };
    if (ts.isIdentifier(e)) return { exported, local: e.text };
    if ((ts.isFunctionExpression(e) || ts.isClassExpression(e)) && e.name) return { exported, local: e.name.text };
    return { exported };
  };
  if (left === 'module.exports') {
    if (ts.isObjectLiteralExpression(right)) {
      return right.properties.flatMap((p) => {
        if (ts.isShorthandPropertyAssignment(p)) return [{ exported: p.name.text, local: p.name.text }];
        if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return [value(p.name.text, p.initializer)];
        return [];
      });
    }
    return [value('module.exports', right)];
  }
  const m = /^(?:module\.)?exports\.([\w$]+)$/.exec(left);
  return m ? [value(m[1], right)] : [];
}

function esmExports(file: string, st: ts.Statement, sf: ts.SourceFile): ExportEntry[] {
  if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
    const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? resolveFrom(file, st.moduleSpecifier.text) : undefined;
    return st.exportClause.elements.map((e) => {
      const inner = (e.propertyName ?? e.name).getText(sf);
      return from ? { exported: e.name.getText(sf), from, imported: inner } : { exported: e.name.getText(sf), local: inner };
    });
  }
  if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) return [{ exported: 'default', local: st.expression.text }];
  if (!hasModifier(st, ts.SyntaxKind.ExportKeyword)) return [];
  const exported = (n: string) => (hasModifier(st, ts.SyntaxKind.DefaultKeyword) ? 'default' : n);
  if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) return [{ exported: exported(st.name.text), local: st.name.text }];
  if (ts.isVariableStatement(st)) {
    return st.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [{ exported: d.name.text, local: d.name.text }] : []));
  }
  return [];
}

const exportCache = new Map<string, { hash: string; entries: ExportEntry[] }>();

/** The exports of a source file (cached by content). */
export function exportsOf(file: string): ExportEntry[] {
  let parsed: ParsedSource;
  try {
    parsed = parseSource(file);
  } catch {
    return [];
  }
  const hit = exportCache.get(file);
  if (hit && hit.hash === parsed.hash) return hit.entries;
  const entries = parsed.sf.statements.flatMap((st) => [...esmExports(file, st, parsed.sf), ...cjsExports(file, st, parsed.sf)]);
  exportCache.set(file, { hash: parsed.hash, entries });
  return entries;
}

/** A function of the project, by file and qualified name. */
export interface FnRef {
  file: string;
  fn: FunctionInfo;
}

/** How a function is entered from a caller: a call, or by being returned/passed by its parent. */
export interface Edge {
  from: FnRef;
  to: FnRef;
  /** `returned`: the parent returns it (the test calls what the parent returns). */
  via: 'call' | 'returned' | 'nested';
  /** offset of the call (or of the nested function) in `from`'s file */
  at: number;
}

/** Private (TypeScript `private`/`protected`, `#name`) or not a member at all. */
export function isPrivateMember(fn: FunctionInfo): boolean {
  const n = fn.node;
  if (ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) {
    return ts.isPrivateIdentifier(n.name) || hasModifier(n, ts.SyntaxKind.PrivateKeyword) || hasModifier(n, ts.SyntaxKind.ProtectedKeyword);
  }
  return false;
}

/** The class a method belongs to (its qualified name), if any. */
export function classOf(fn: FunctionInfo): string | undefined {
  const p = fn.node.parent;
  if (p && ts.isClassLike(p) && fn.name.includes('.')) return fn.name.slice(0, fn.name.lastIndexOf('.'));
  return undefined;
}

/** The innermost function node enclosing `node` (excluding `node` itself). */
function enclosing(node: ts.Node): ts.Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (ts.isFunctionLike(p) && (p as ts.FunctionLikeDeclaration).body) return p;
  return undefined;
}

/** The function whose `this` an arrow sees: the nearest enclosing non-arrow function. */
function methodOf(node: ts.Node, byNode: Map<ts.Node, FunctionInfo>): FunctionInfo | undefined {
  let n: ts.Node | undefined = node;
  while (n && ts.isArrowFunction(n)) n = enclosing(n);
  return n && byNode.get(n);
}

/** Edges leaving the functions of one file (calls resolved within the project's source files). */
export function edgesOf(file: string, sourceFiles: string[]): Edge[] {
  const parsed = parseSource(file);
  const byNode = new Map(parsed.functions.map((f) => [f.node, f]));
  const byName = new Map(parsed.functions.map((f) => [f.name, f]));
  const imported = importedFunctions(file, parsed, sourceFiles);
  const edges: Edge[] = [];
  const resolveIdent = (from: FunctionInfo, name: string): FnRef | undefined => {
    for (let scope = from.name; ; scope = scope.slice(0, scope.lastIndexOf('.'))) {
      const hit = byName.get(`${scope}.${name}`);
      if (hit) return { file, fn: hit };
      if (!scope.includes('.')) break;
    }
    const top = byName.get(name) ?? byName.get(`${name}.constructor`);
    return top ? { file, fn: top } : imported.get(name);
  };
  const visit = (node: ts.Node): void => {
    const owner = enclosing(node);
    const from = owner && byNode.get(owner);
    if (from && (ts.isCallExpression(node) || ts.isNewExpression(node))) {
      const callee = node.expression;
      let to: FnRef | undefined;
      if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
        // `this` inside arrows is the method's: the call is the method's (`monitor → expect`, not
        // through the arrow passed to a transaction).
        const host = methodOf(owner, byNode) ?? from;
        const cls = classOf(host);
        const m = cls && byName.get(`${cls}.${callee.name.text}`);
        if (m && m !== host) edges.push({ from: { file, fn: host }, to: { file, fn: m }, via: 'call', at: node.getStart(parsed.sf) });
      } else if (ts.isIdentifier(callee)) {
        to = ts.isNewExpression(node) ? (byName.get(`${callee.text}.constructor`) ? { file, fn: byName.get(`${callee.text}.constructor`)! } : undefined) : resolveIdent(from, callee.text);
      }
      if (to && to.fn !== from) edges.push({ from: { file, fn: from }, to, via: 'call', at: node.getStart(parsed.sf) });
    }
    if (byNode.has(node) && from) {
      const returned = ts.isReturnStatement(node.parent) || (ts.isArrowFunction(from.node) && from.node.body === node);
      edges.push({ from: { file, fn: from }, to: { file, fn: byNode.get(node)! }, via: returned ? 'returned' : 'nested', at: node.getStart(parsed.sf) });
    }
    ts.forEachChild(node, visit);
  };
  visit(parsed.sf);
  return edges;
}

/** Functions imported by name from other source files (`import { read }`, `var read = require('./read')`). */
function importedFunctions(file: string, parsed: ParsedSource, sourceFiles: string[]): Map<string, FnRef> {
  const out = new Map<string, FnRef>();
  const byStripped = new Map(sourceFiles.map((f) => [strip(f), f]));
  const bind = (local: string, module: string | undefined, name: string) => {
    const target = module && byStripped.get(module);
    if (!target) return;
    const entry = exportsOf(target).find((e) => e.exported === name);
    const fn = entry?.local && parseSource(target).functions.find((f) => f.name === entry.local || f.name === `${entry.local}.constructor`);
    if (fn) out.set(local, { file: target, fn });
  };
  const sf = parsed.sf;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.importClause) {
      const module = resolveFrom(file, st.moduleSpecifier.text);
      if (st.importClause.name) bind(st.importClause.name.text, module, 'default');
      const nb = st.importClause.namedBindings;
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) bind(e.name.text, module, (e.propertyName ?? e.name).text);
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (!d.initializer || !ts.isIdentifier(d.name)) continue;
        const init = d.initializer;
        const direct = requireTarget(file, init, sf);
        if (direct) bind(d.name.text, direct, 'module.exports');
        // var createError = require('./errors').createError
        if (ts.isPropertyAccessExpression(init)) bind(d.name.text, requireTarget(file, init.expression, sf), init.name.text);
      }
    }
  }
  return out;
}
