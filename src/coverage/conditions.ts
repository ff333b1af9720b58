/**
 * A branch condition in words, for the hints: operands stay code (`steps.length`), operators and
 * common checks become words, and the side to reach decides whether the condition or its opposite
 * is phrased (De Morgan over `&&` / `||`, so no `!( … )` is left for the reader to work out):
 * - `steps.length === 0`, held → "`steps.length` is 0"; `a > b`, not held → "`a` is at most `b`";
 * - `!from.includes(s)` → "`s` is not in `from`"; `/^x/.test(v)` → "`v` matches `/^x/`";
 * - `typeof v === 'string'` → "`v` is a string"; `x == null` → "`x` is null or undefined";
 *   `Array.isArray(x)` → "`x` is an array"; `x instanceof E` → "`x` is an E";
 * - anything else: "`expr` is true" / "`expr` is false" (a value: "is truthy" / "is falsy").
 * Parsed with the TypeScript compiler API (as the rest of the engine), never evaluated.
 */
import * as ts from 'typescript';

/** A Markdown code span of `text`, fenced with more backticks than any run inside it (CommonMark). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

const code = (n: ts.Node, sf: ts.SourceFile): string => codeSpan(n.getText(sf));

/** Literals read as themselves (`0`, `null`); strings and anything else as code. */
function operand(n: ts.Node, sf: ts.SourceFile): string {
  if (ts.isNumericLiteral(n) || n.kind === ts.SyntaxKind.NullKeyword || n.kind === ts.SyntaxKind.TrueKeyword || n.kind === ts.SyntaxKind.FalseKeyword) return n.getText(sf);
  if (ts.isIdentifier(n) && n.text === 'undefined') return 'undefined';
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(n.operand)) return n.getText(sf);
  return code(n, sf);
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

function typeofCheck(n: ts.BinaryExpression, holds: boolean, sf: ts.SourceFile): string | undefined {
  const [t, lit] = ts.isTypeOfExpression(unwrap(n.left)) ? [unwrap(n.left) as ts.TypeOfExpression, unwrap(n.right)] : [undefined, undefined];
  if (!t || !lit || !ts.isStringLiteral(lit)) return undefined;
  const equal = n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken || n.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken;
  const article = /^[aeiou]/.test(lit.text) ? 'an' : 'a';
  return `${code(t.expression, sf)} ${equal === holds ? 'is' : 'is not'} ${article} ${lit.text}`;
}

function binary(n: ts.BinaryExpression, holds: boolean, sf: ts.SourceFile): string {
  const op = n.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
    const and = (op === ts.SyntaxKind.AmpersandAmpersandToken) === holds;
    return `${phrase(n.left, holds, sf)} ${and ? 'and' : 'or'} ${phrase(n.right, holds, sf)}`;
  }
  const typeOf = typeofCheck(n, holds, sf);
  if (typeOf) return typeOf;
  const right = unwrap(n.right);
  const loose = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  if (loose && right.kind === ts.SyntaxKind.NullKeyword) {
    const isNull = (op === ts.SyntaxKind.EqualsEqualsToken) === holds;
    return `${code(n.left, sf)} ${isNull ? 'is null or undefined' : 'is set (not null or undefined)'}`;
  }
  if (op === ts.SyntaxKind.InstanceOfKeyword) return `${code(n.left, sf)} ${holds ? 'is' : 'is not'} ${/^[AEIOU]/.test(right.getText(sf)) ? 'an' : 'a'} ${right.getText(sf)}`;
  if (op === ts.SyntaxKind.InKeyword) return `${code(n.right, sf)} ${holds ? 'has' : 'has no'} ${operand(n.left, sf)} key`;
  const words = COMPARISON[op];
  if (words) return `${code(n.left, sf)} ${words[holds ? 0 : 1]} ${operand(n.right, sf)}`;
  return truth(n, holds, sf);
}

function call(n: ts.CallExpression, holds: boolean, sf: ts.SourceFile): string {
  const callee = unwrap(n.expression);
  const [arg] = n.arguments;
  if (ts.isPropertyAccessExpression(callee) && n.arguments.length === 1) {
    const method = callee.name.text;
    const target = unwrap(callee.expression);
    if (method === 'includes' || method === 'has') return `${operand(arg, sf)} ${holds ? 'is' : 'is not'} in ${code(target, sf)}`;
    if (method === 'test' && ts.isRegularExpressionLiteral(target)) return `${code(arg, sf)} ${holds ? 'matches' : 'does not match'} ${code(target, sf)}`;
    if (method === 'isArray' && target.getText(sf) === 'Array') return `${code(arg, sf)} ${holds ? 'is' : 'is not'} an array`;
    if (method === 'startsWith') return `${code(target, sf)} ${holds ? 'starts' : 'does not start'} with ${operand(arg, sf)}`;
    if (method === 'endsWith') return `${code(target, sf)} ${holds ? 'ends' : 'does not end'} with ${operand(arg, sf)}`;
  }
  return truth(n, holds, sf);
}

/** A condition with no operator to phrase: a call or comparison-free expression. */
function truth(n: ts.Node, holds: boolean, sf: ts.SourceFile): string {
  const value = ts.isIdentifier(n) || ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n);
  return `${code(n, sf)} is ${value ? (holds ? 'truthy' : 'falsy') : holds ? 'true' : 'false'}`;
}

function phrase(node: ts.Expression, holds: boolean, sf: ts.SourceFile): string {
  const n = unwrap(node);
  if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) return phrase(n.operand, !holds, sf);
  if (ts.isBinaryExpression(n)) return binary(n, holds, sf);
  if (ts.isCallExpression(n)) return call(n, holds, sf);
  return truth(n, holds, sf);
}

/**
 * `cond` (source text of a condition) phrased for the side to reach: `holds` true for the side
 * where it is true. Text that does not parse as one expression is quoted as it is.
 */
export function conditionInWords(cond: string, holds: boolean): string {
  const sf = ts.createSourceFile('condition.ts', `(${cond});`, ts.ScriptTarget.Latest, true);
  const [stmt] = sf.statements;
  if (sf.statements.length !== 1 || !stmt || !ts.isExpressionStatement(stmt) || ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? []).length) {
    return `${codeSpan(cond)} is ${holds ? 'true' : 'false'}`;
  }
  return phrase(stmt.expression, holds, sf);
}
