/**
 * What the untested code does, read from its AST, so that a hint asks for the assertion that
 * fits: it throws (with the error's code or status), it returns a value, it writes rows (SQL
 * `INSERT`/`UPDATE`/`DELETE`), it calls an executor or another collaborator, or it swallows an
 * error. The region is the untaken branch side or the uncovered lines of one function.
 */
import * as ts from 'typescript';

export type Effect =
  | { kind: 'throws'; error: string; code?: string }
  | { kind: 'returns'; value: string }
  | { kind: 'writes'; table?: string }
  | { kind: 'calls'; callee: string; executor: boolean }
  | { kind: 'swallows' }
  | { kind: 'runs' };

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

/** What the code in [start, end) of `fn` does (first match: throws, writes, calls an executor, returns, swallows). */
export function effectOf(fn: ts.Node, start: number, end: number, sf: ts.SourceFile): Effect {
  const nodes = within(fn, start, end, sf);
  const th = nodes.find(ts.isThrowStatement);
  if (th) return { kind: 'throws', ...thrown(th.expression, sf, fn) };
  for (const n of nodes) {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n)) {
      const m = WRITE.exec(n.getText(sf));
      if (m) return { kind: 'writes', table: m[2] };
    }
  }
  const call = nodes.find((n): n is ts.CallExpression => ts.isCallExpression(n) && /executor/i.test(n.expression.getText(sf)));
  if (call) return { kind: 'calls', callee: squash(call.expression.getText(sf), 40), executor: true };
  const ret = nodes.find((n): n is ts.ReturnStatement => ts.isReturnStatement(n) && !!n.expression);
  if (ret) return { kind: 'returns', value: squash(ret.expression!.getText(sf), 200) };
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body) && fn.body.getStart(sf) >= start) return { kind: 'returns', value: squash(fn.body.getText(sf), 200) };
  // A value chosen by the untaken side (`cond ? a : b`, `a || b`) that the function returns.
  const first = nodes[0];
  for (let p = first?.parent; p && p !== fn; p = p.parent) {
    if (ts.isReturnStatement(p) || (ts.isArrowFunction(p.parent) && p.parent.body === p)) return { kind: 'returns', value: squash(first.getText(sf), 200) };
    if (ts.isStatement(p)) break;
  }
  const inCatch = nodes.length > 0 && nodes.every((n) => { for (let p = n.parent; p && p !== fn; p = p.parent) if (ts.isCatchClause(p)) return true; return false; });
  if (inCatch) return { kind: 'swallows' };
  const other = nodes.find((n): n is ts.CallExpression => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && !n.expression.getText(sf).startsWith('this.'));
  if (other) return { kind: 'calls', callee: squash(other.expression.getText(sf), 40), executor: false };
  return { kind: 'runs' };
}
