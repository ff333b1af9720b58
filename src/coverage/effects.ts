/**
 * What the untested code does, read from its AST, so that a hint asks for the assertion that
 * fits: it throws (with the error's code or status), it returns a value, it writes rows (SQL
 * `INSERT`/`UPDATE`/`DELETE`), it calls an executor or another collaborator, or it swallows an
 * error. The region is the untaken branch side or the uncovered lines of one function.
 */
import * as ts from 'typescript';
import { exits } from './branches';

export type Effect = (
  | { kind: 'throws'; error: string; code?: string }
  /** `rows`: the value is read by an SQL `SELECT` from `table`; `matching`: the parameters its `WHERE` uses. */
  /** `shape`: what a long value is, in words (`an object`, `a list`, `a new Session`). */
  | { kind: 'returns'; value: string; rows?: { table: string; matching: string[] }; shape?: string }
  /** `change`: the SQL statement's verb (`INSERT` adds a row, `UPDATE` changes rows, `DELETE` removes them). */
  | { kind: 'writes'; table?: string; change?: 'insert' | 'update' | 'delete' }
  | { kind: 'calls'; callee: string; executor: boolean }
  | { kind: 'swallows' }
  | { kind: 'runs' }
) & {
  /** Offset of the statement or expression that does it, when it is one (for {@link pathTo}). */
  at?: number;
};

const squash = (s: string, max = 60) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The error thrown: `new ExecutionError('EMPTY_PLAN', …)` → ExecutionError + EMPTY_PLAN; `createError(413, …, 'entity.too.large')` → 413. */
function thrown(expr: ts.Expression, sf: ts.SourceFile, fnBody: ts.Node): { error: string; code?: string } {
  if ((ts.isNewExpression(expr) || ts.isCallExpression(expr)) && expr.arguments) {
    const error = expr.expression.getText(sf);
    const args = expr.arguments;
    const literal = args.find((a) => (ts.isStringLiteral(a) && /^[A-Z][A-Z0-9_]{2,}$/.test(a.text)) || ts.isNumericLiteral(a));
    const code = literal ? (ts.isStringLiteral(literal) ? literal.text : literal.getText(sf)) : undefined;
    return code ? { error, code } : { error };
  }
  if (ts.isIdentifier(expr)) {
    // `const error = new TypeError(…); Object.defineProperty(error, 'code', {value: 'ERR_X'}); throw error;`
    const text = fnBody.getText(sf);
    const code = new RegExp(`${expr.text}[^;]*'code'[^;]*value:\\s*'([A-Z_][A-Z0-9_]+)'`).exec(text)?.[1];
    const made = new RegExp(`${expr.text}\\s*=\\s*new\\s+(\\w+)`).exec(text)?.[1];
    return { error: made ?? expr.text, ...(code ? { code } : {}) };
  }
  return { error: squash(expr.getText(sf), 40) };
}

const WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i;

/** Nodes of `root` that start within [start, end), not inside nested functions. */
function within(root: ts.Node, start: number, end: number, sf: ts.SourceFile): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    if (n !== root && ts.isFunctionLike(n)) return;
    const s = n.getStart(sf);
    if (s >= start && n.getEnd() <= end) out.push(n);
    else if (n.getEnd() <= start || s >= end) return;
    ts.forEachChild(n, visit);
  };
  visit(root);
  return out;
}

/**
 * What a returned call does through the function it is given (`return db.transaction(() => { …
 * UPDATE … })`): the callback's effect, when it has one to observe.
 */
function callbackEffect(value: ts.Expression, sf: ts.SourceFile): Effect | undefined {
  let n = value;
  while (ts.isParenthesizedExpression(n) || ts.isAwaitExpression(n)) n = n.expression;
  if (!ts.isCallExpression(n)) return undefined;
  // `rows.map(row => …)` and the like run their callback on each element: the value is the list.
  if (ts.isPropertyAccessExpression(n.expression) && (LIST_METHODS.has(n.expression.name.text) || ELEMENT_METHODS.has(n.expression.name.text))) return undefined;
  const callback = n.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
  if (!callback) return undefined;
  const inner = effectOf(callback, callback.getStart(sf), callback.getEnd(), sf);
  return inner.kind === 'throws' || inner.kind === 'writes' || inner.kind === 'calls' ? inner : undefined;
}

const SELECT = /\bSELECT\b[\s\S]*?\bFROM\s+(\w+)([\s\S]*)/i;

const LIST_METHODS = new Set(['map', 'filter', 'flatMap', 'slice', 'concat', 'sort', 'reverse']);
const ELEMENT_METHODS = new Set(['forEach', 'reduce', 'reduceRight', 'find', 'findIndex', 'findLast', 'some', 'every', 'then', 'catch', 'finally']);
const STRING_METHODS = new Set(['join', 'toString', 'trim', 'toLowerCase', 'toUpperCase', 'padStart', 'padEnd']);

/** What a value is, in words, from its outermost expression: an object, a list, a new instance. */
function shapeOf(value: ts.Node, sf: ts.SourceFile): string | undefined {
  let n = value;
  while (ts.isParenthesizedExpression(n) || ts.isAwaitExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n)) n = n.expression;
  if (ts.isObjectLiteralExpression(n)) return 'an object';
  if (ts.isArrayLiteralExpression(n)) return 'a list';
  if (ts.isNewExpression(n)) return `a new ${n.expression.getText(sf)}`;
  if (ts.isStringLiteral(n) || ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) return 'a string';
  if (ts.isCallExpression(n)) {
    const callee = n.expression.getText(sf);
    if (/^Object\.(fromEntries|assign|create)$/.test(callee)) return 'an object';
    if (/^Array\.(from|of)$/.test(callee)) return 'a list';
    if (ts.isPropertyAccessExpression(n.expression) && LIST_METHODS.has(n.expression.name.text)) return 'a list';
    if (ts.isPropertyAccessExpression(n.expression) && STRING_METHODS.has(n.expression.name.text)) return 'a string';
  }
  return undefined;
}

/** A returned value; rows read by an SQL `SELECT` are named by their table and the parameters the `WHERE` uses. */
function returns(value: ts.Node, fn: ts.Node, sf: ts.SourceFile): Effect {
  const shape = shapeOf(value, sf);
  const effect: Effect = { kind: 'returns', value: squash(value.getText(sf), 200), at: value.getStart(sf), ...(shape ? { shape } : {}) };
  const literals = within(value, value.getStart(sf), value.getEnd(), sf)
    .filter((n) => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n));
  const select = literals.map((n) => SELECT.exec(n.getText(sf))).find((m) => m);
  if (!select) return effect;
  const params = ts.isFunctionLike(fn) ? fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])) : [];
  const used = new Set(within(value, value.getStart(sf), value.getEnd(), sf).flatMap((n) => (ts.isIdentifier(n) ? [n.text] : [])));
  const matching = /\bWHERE\b/i.test(select[2]) ? params.filter((p) => used.has(p)) : [];
  return { ...effect, rows: { table: select[1], matching } };
}

/**
 * The conditions on the way from the start of `fn` to the code at `at`, outermost first: each
 * `if` or `? :` it sits in (its true or false side), and each earlier `if` of an enclosing block
 * whose body exits (it must be false to get past it).
 */
export function pathTo(fn: ts.Node, at: number, sf: ts.SourceFile): Array<{ test: string; holds: boolean }> {
  const out: Array<{ test: string; holds: boolean }> = [];
  const cond = (e: ts.Expression, holds: boolean) => out.push({ test: e.getText(sf).replace(/\s+/g, ' '), holds });
  let node: ts.Node = fn;
  for (;;) {
    let child: ts.Node | undefined;
    ts.forEachChild(node, (c) => {
      if (!child && c.getStart(sf) <= at && at < c.getEnd()) child = c;
    });
    // A function defined here is not on the path; a callback handed to a call (a transaction) is.
    const callback = ts.isCallExpression(node) && node.arguments.some((arg) => arg === child);
    if (!child || (ts.isFunctionLike(child) && !callback)) break;
    if (ts.isIfStatement(node) && (child === node.thenStatement || child === node.elseStatement)) cond(node.expression, child === node.thenStatement);
    if (ts.isConditionalExpression(node) && (child === node.whenTrue || child === node.whenFalse)) cond(node.condition, child === node.whenTrue);
    if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseOrDefaultClause(node)) {
      for (const st of node.statements) {
        if (st === child) break;
        if (ts.isIfStatement(st) && !st.elseStatement && exits(st.thenStatement)) cond(st.expression, false);
      }
    }
    node = child;
  }
  return out;
}

/** What the code in [start, end) of `fn` does (first match: throws, writes, calls an executor, returns, swallows). */
export function effectOf(fn: ts.Node, start: number, end: number, sf: ts.SourceFile): Effect {
  const nodes = within(fn, start, end, sf);
  const th = nodes.find(ts.isThrowStatement);
  if (th) return { kind: 'throws', ...thrown(th.expression, sf, fn), at: th.getStart(sf) };
  for (const n of nodes) {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n)) {
      const m = WRITE.exec(n.getText(sf));
      if (m) return { kind: 'writes', table: m[2], change: m[1].split(/\s/)[0].toLowerCase() as 'insert' | 'update' | 'delete', at: n.getStart(sf) };
    }
  }
  const call = nodes.find((n): n is ts.CallExpression => ts.isCallExpression(n) && /executor/i.test(n.expression.getText(sf)));
  if (call) return { kind: 'calls', callee: squash(call.expression.getText(sf), 40), executor: true, at: call.getStart(sf) };
  const ret = nodes.find((n): n is ts.ReturnStatement => ts.isReturnStatement(n) && !!n.expression);
  if (ret) return callbackEffect(ret.expression!, sf) ?? returns(ret.expression!, fn, sf);
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body) && fn.body.getStart(sf) >= start) return returns(fn.body, fn, sf);
  // A value chosen by the untaken side (`cond ? a : b`, `a || b`) that the function returns.
  const first = nodes[0];
  for (let p = first?.parent; p && p !== fn; p = p.parent) {
    if (ts.isReturnStatement(p) || (ts.isArrowFunction(p.parent) && p.parent.body === p)) return returns(first, fn, sf);
    if (ts.isStatement(p)) break;
  }
  const inCatch = nodes.length > 0 && nodes.every((n) => { for (let p = n.parent; p && p !== fn; p = p.parent) if (ts.isCatchClause(p)) return true; return false; });
  if (inCatch) return { kind: 'swallows' };
  const other = nodes.find((n): n is ts.CallExpression => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && !n.expression.getText(sf).startsWith('this.'));
  if (other) return { kind: 'calls', callee: squash(other.expression.getText(sf), 40), executor: false, at: other.getStart(sf) };
  return { kind: 'runs' };
}
