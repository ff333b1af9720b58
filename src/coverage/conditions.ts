/**
 * A branch condition in words, for the hints: operands stay code (`steps.length`), operators and
 * common checks become words, and the side to reach decides whether the condition or its opposite
 * is phrased (De Morgan over `&&` / `||`, so no `!( … )` is left for the reader to work out):
 * - `steps.length === 0`, held → "`steps.length` is 0"; `a > b`, not held → "`a` is at most `b`";
 * - `!from.includes(s)` → "`s` is not in `from`"; `/^x/.test(v)` → "`v` matches `/^x/`";
 * - `typeof v === 'string'` → "`v` is a string"; `x == null` → "`x` is null or undefined";
 *   `Array.isArray(x)` → "`x` is an array"; `x instanceof E` → "`x` is an E";
 * - anything else: "`expr` is true" / "`expr` is false" (a value: "is truthy" / "is falsy").
 * A branch side that never ran (its condition kept as data, model.ts `BranchWhen`) reads as the case
 * no test ran and what runs there: "no test ran the case where `b` is null or undefined (which falls
 * back to `'none'`)", "… where `kind` matches no case (the `default` clause)"; the Act line says the
 * same condition after "when", a test title says it plainly (`brief`: no code spans, a regular
 * expression as "the pattern").
 * Parsed with the TypeScript compiler API (as the rest of the engine), never evaluated.
 */
import * as ts from 'typescript';
import type { BranchWhen } from './model';

/** A Markdown code span of `text`, fenced with more backticks than any run inside it (CommonMark). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/**
 * How a condition is being phrased: `brief` for a test title (plain text, no code spans, a regular
 * expression named "the pattern").
 */
interface Cx {
  sf: ts.SourceFile;
  brief: boolean;
}

function code(n: ts.Node, cx: Cx): string {
  if (!cx.brief) return codeSpan(n.getText(cx.sf));
  return ts.isRegularExpressionLiteral(n) ? 'the pattern' : n.getText(cx.sf).replace(/\s+/g, ' ');
}

/** Literals read as themselves (`0`, `null`); strings and anything else as code. */
function operand(n: ts.Node, cx: Cx): string {
  if (ts.isNumericLiteral(n) || n.kind === ts.SyntaxKind.NullKeyword || n.kind === ts.SyntaxKind.TrueKeyword || n.kind === ts.SyntaxKind.FalseKeyword) return n.getText(cx.sf);
  if (ts.isIdentifier(n) && n.text === 'undefined') return 'undefined';
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(n.operand)) return n.getText(cx.sf);
  return code(n, cx);
}

const COMPARISON: Partial<Record<ts.SyntaxKind, [string, string]>> = {
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ['is', 'is not'],
  [ts.SyntaxKind.EqualsEqualsToken]: ['is', 'is not'],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ['is not', 'is'],
  [ts.SyntaxKind.ExclamationEqualsToken]: ['is not', 'is'],
  [ts.SyntaxKind.GreaterThanToken]: ['is greater than', 'is at most'],
  [ts.SyntaxKind.GreaterThanEqualsToken]: ['is at least', 'is less than'],
  [ts.SyntaxKind.LessThanToken]: ['is less than', 'is at least'],
  [ts.SyntaxKind.LessThanEqualsToken]: ['is at most', 'is greater than'],
};

const unwrap = (n: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(n) ? unwrap(n.expression) : n);

function typeofCheck(n: ts.BinaryExpression, holds: boolean, cx: Cx): string | undefined {
  const [t, lit] = ts.isTypeOfExpression(unwrap(n.left)) ? [unwrap(n.left) as ts.TypeOfExpression, unwrap(n.right)] : [undefined, undefined];
  if (!t || !lit || !ts.isStringLiteral(lit)) return undefined;
  const equal = n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken;
  const article = /^[aeiou]/.test(lit.text) ? 'an' : 'a';
  return `${code(t.expression, cx)} ${equal === holds ? 'is' : 'is not'} ${article} ${lit.text}`;
}

function binary(n: ts.BinaryExpression, holds: boolean, cx: Cx): string {
  const op = n.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
    const and = (op === ts.SyntaxKind.AmpersandAmpersandToken) === holds;
    return `${phrase(n.left, holds, cx)} ${and ? 'and' : 'or'} ${phrase(n.right, holds, cx)}`;
  }
  const typeOf = typeofCheck(n, holds, cx);
  if (typeOf) return typeOf;
  const right = unwrap(n.right);
  const loose = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  if (loose && right.kind === ts.SyntaxKind.NullKeyword) {
    const isNull = (op === ts.SyntaxKind.EqualsEqualsToken) === holds;
    return `${code(n.left, cx)} ${isNull ? 'is null or undefined' : 'is set (not null or undefined)'}`;
  }
  if (op === ts.SyntaxKind.InstanceOfKeyword) return `${code(n.left, cx)} ${holds ? 'is' : 'is not'} ${/^[AEIOU]/.test(right.getText(cx.sf)) ? 'an' : 'a'} ${right.getText(cx.sf)}`;
  if (op === ts.SyntaxKind.InKeyword) return `${code(n.right, cx)} ${holds ? 'has' : 'has no'} ${operand(n.left, cx)} key`;
  const words = COMPARISON[op];
  if (words) return `${code(n.left, cx)} ${words[holds ? 0 : 1]} ${operand(n.right, cx)}`;
  return truth(n, holds, cx);
}

function call(n: ts.CallExpression, holds: boolean, cx: Cx): string {
  const callee = unwrap(n.expression);
  const [arg] = n.arguments;
  if (ts.isPropertyAccessExpression(callee) && n.arguments.length === 1) {
    const method = callee.name.text;
    const target = unwrap(callee.expression);
    if (method === 'includes' || method === 'has') return `${operand(arg, cx)} ${holds ? 'is' : 'is not'} in ${code(target, cx)}`;
    if (method === 'test' && ts.isRegularExpressionLiteral(target)) return `${code(arg, cx)} ${holds ? 'matches' : 'does not match'} ${code(target, cx)}`;
    if (method === 'isArray' && target.getText(cx.sf) === 'Array') return `${code(arg, cx)} ${holds ? 'is' : 'is not'} an array`;
    if (method === 'startsWith') return `${code(target, cx)} ${holds ? 'starts' : 'does not start'} with ${operand(arg, cx)}`;
    if (method === 'endsWith') return `${code(target, cx)} ${holds ? 'ends' : 'does not end'} with ${operand(arg, cx)}`;
  }
  return truth(n, holds, cx);
}

/** A condition with no operator to phrase: a call or comparison-free expression. */
function truth(n: ts.Node, holds: boolean, cx: Cx): string {
  const value = ts.isIdentifier(n) || ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n);
  return `${code(n, cx)} is ${value ? (holds ? 'truthy' : 'falsy') : holds ? 'true' : 'false'}`;
}

function phrase(node: ts.Expression, holds: boolean, cx: Cx): string {
  const n = unwrap(node);
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) return phrase(n.operand, !holds, cx);
  if (ts.isBinaryExpression(n)) return binary(n, holds, cx);
  if (ts.isCallExpression(n)) return call(n, holds, cx);
  return truth(n, holds, cx);
}

/** `text` parsed as one expression (undefined when it is not exactly one). */
function parseExpression(text: string): { expr: ts.Expression; sf: ts.SourceFile } | undefined {
  const sf = ts.createSourceFile('condition.ts', `(${text});`, ts.ScriptTarget.Latest, true);
  const [stmt] = sf.statements;
  const diagnostics = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  if (sf.statements.length !== 1 || !stmt || !ts.isExpressionStatement(stmt) || diagnostics.length) return undefined;
  return { expr: stmt.expression, sf };
}

/** Options of {@link conditionInWords}. */
export interface WordsOptions {
  /** For a test title: plain text without code spans, a regular expression said as "the pattern". */
  brief?: boolean;
}

const quoted = (text: string, brief: boolean) => (brief ? text.replace(/\s+/g, ' ') : codeSpan(text));

/**
 * `cond` (source text of a condition) phrased for the side to reach: `holds` true for the side
 * where it is true. Text that does not parse as one expression is quoted as it is.
 */
export function conditionInWords(cond: string, holds: boolean, options: WordsOptions = {}): string {
  const brief = !!options.brief;
  const parsed = parseExpression(cond);
  if (!parsed) return `${quoted(cond, brief)} is ${holds ? 'true' : 'false'}`;
  return phrase(parsed.expr, holds, { sf: parsed.sf, brief });
}

/**
 * A returned expression that is a yes/no check (`!x`, a comparison, `set.has(k)`, `re.test(s)`,
 * `typeof`, `instanceof`, `in`), said as what it checks (`` `code` is in `redirectStatus` ``);
 * undefined for any other value.
 */
export function checkInWords(value: string, options: WordsOptions = {}): string | undefined {
  const parsed = parseExpression(value);
  if (!parsed) return undefined;
  const n = unwrap(parsed.expr);
  const checkCall = ts.isCallExpression(n) && ts.isPropertyAccessExpression(unwrap(n.expression)) && n.arguments.length === 1 &&
    ['includes', 'has', 'test', 'isArray', 'startsWith', 'endsWith'].includes((unwrap(n.expression) as ts.PropertyAccessExpression).name.text);
  const op = ts.isBinaryExpression(n) ? n.operatorToken.kind : undefined;
  const check = (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) || checkCall ||
    (op !== undefined && (COMPARISON[op] !== undefined || op === ts.SyntaxKind.InstanceOfKeyword || op === ts.SyntaxKind.InKeyword));
  return check ? phrase(n, true, { sf: parsed.sf, brief: !!options.brief }) : undefined;
}

/** A `case` label or a default value: a literal number / `null` / `true` as itself, anything else as code. */
function valueText(text: string, brief: boolean): string {
  const parsed = parseExpression(text);
  return parsed ? operand(unwrap(parsed.expr), { sf: parsed.sf, brief }) : quoted(text, brief);
}

/** The condition that takes a run down a branch side, in words, without the leading "when". */
export function whenInWords(w: BranchWhen, options: WordsOptions = {}): string {
  const brief = !!options.brief;
  switch (w.kind) {
    case 'test':
      return conditionInWords(w.test, w.holds, options);
    case 'operand':
      return w.operator === '??' ? `${quoted(w.left, brief)} is null or undefined` : conditionInWords(w.left, w.operator === '&&', options);
    case 'case':
      return w.label === undefined ? `${quoted(w.subject, brief)} matches no case` : `${quoted(w.subject, brief)} is ${valueText(w.label, brief)}`;
    case 'default-value':
      return `the ${quoted(w.param, brief)} argument is left out`;
    case 'throws':
      return brief ? 'the try block throws' : 'the `try` block throws';
    case 'iterates':
      return 'the loop has something to iterate over';
    default:
      return 'this branch is taken';
  }
}

/** Short code (one line, at most 40 characters) as a code span; undefined when too long for a sentence. */
function shortCode(text: string): string | undefined {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= 40 ? codeSpan(t) : undefined;
}

/** What runs on the side, to follow the condition: `the \`else\` branch`, `which falls back to \`{}\``. */
function sideWords(w: BranchWhen): string | undefined {
  switch (w.kind) {
    case 'test': {
      if (w.path === 'value') return w.value !== undefined && shortCode(w.value) ? `which gives ${shortCode(w.value)}` : undefined;
      return { then: undefined, else: 'the `else` branch', 'after-if': 'the code after the `if`', 'skip-if': 'the `if` body skipped' }[w.path];
    }
    case 'operand': {
      const check = w.operator !== '??' && !w.assigns ? checkInWords(w.right) : undefined;
      if (check) return `which then checks whether ${check}`;
      const right = shortCode(w.right);
      if (!right) return undefined;
      return w.assigns ? `which assigns ${right}` : w.operator === '&&' ? `which then evaluates ${right}` : `which falls back to ${right}`;
    }
    case 'case':
      return w.label === undefined ? 'the `default` clause' : undefined;
    case 'default-value':
      return shortCode(w.value) ? `the default ${shortCode(w.value)}` : 'the default value';
    case 'throws':
      return 'the `catch` block';
    case 'iterates':
      return 'the loop body';
    default:
      return undefined;
  }
}

/**
 * A branch side that never ran, as behaviour: "no test ran the case where `amount` is at most
 * `this.balance()` (the `else` branch)" — the condition in words, then what runs on that side.
 */
export function branchInWords(w: BranchWhen): string {
  const side = sideWords(w);
  return `no test ran the case where ${whenInWords(w)}${side ? ` (${side})` : ''}`;
}
