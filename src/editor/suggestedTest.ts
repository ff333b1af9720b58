/**
 * "Add suggested test" (pure, no vscode runtime): where and what to insert so that a gap's
 * suggested test lands in the right test file and `describe`, compiles, and shows in the Test
 * Explorer as pending for the user to finish — mocha's convention for a pending test is an `it`
 * without a body, `it('title');`, with the hint's Arrange/Act/Assert outline as comments above it.
 *
 * - Existing test file: inside the `describe` whose title names the gap's class or function (else
 *   the last top-level `describe`; else a new `describe` at the end), before its closing `})`,
 *   indented like its other tests; import lines the outline asks for that the file lacks go
 *   after its last import.
 * - New test file: the outline's import lines, then a `describe` named after the function.
 * The style follows the file: `function () {` callbacks where the file uses them, else arrows;
 * in a file written for mocha's tdd interface (`suite`/`test`, where `it` is not defined) the
 * pending test is `test('title');`. A new file is always bdd (its project's `ui` is not known here).
 */
import * as path from 'path';
import * as ts from 'typescript';
import type { Gap } from '../coverage/model';

/** One text insertion (offset in the file's current text; 0 for a new file). */
export interface TestInsertion {
  file: string;
  /** true: the file does not exist yet; `text` is its whole content. */
  create: boolean;
  edits: Array<{ offset: number; text: string }>;
  /** Offset of the inserted `it(` in the text after the edits, to reveal it. */
  itOffset: number;
}

const IMPORT = /^(import\s|(?:var|const|let)\s[^=]+=\s*require\(|'use strict'|"use strict")/;

/** The outline's import lines (`Arrange: import …`) and its other lines (as comments). */
function split(gap: Gap): { imports: string[]; comments: string[] } {
  const imports: string[] = [];
  const comments: string[] = [];
  for (const line of gap.hint.suggestedTest.outline) {
    const body = line.replace(/^Arrange:\s*/, '');
    if (line.startsWith('Arrange:') && IMPORT.test(body)) imports.push(body);
    else comments.push(`// ${line}`);
  }
  return { imports, comments };
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The pending test call: `it('title');` (bdd) or `test('title');` (tdd: `suite`/`test`, where `it` is not defined). */
function pendingCall(gap: Gap, tdd: boolean): string {
  return `${tdd ? 'test' : 'it'}(${quote(gap.hint.suggestedTest.title)});`;
}

function pendingTest(gap: Gap, indent: string, comments: string[], tdd: boolean): string {
  return [...comments.map((c) => `${indent}${c}`), `${indent}${pendingCall(gap, tdd)}`].join('\n');
}

/** The `describe(...)` calls of a file, outermost first. */
function describes(sf: ts.SourceFile): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && /^(describe|context|suite)$/.test(n.expression.getText(sf)) && n.arguments.length >= 2) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function title(call: ts.CallExpression): string {
  const a = call.arguments[0];
  return ts.isStringLiteralLike(a) ? a.text : '';
}

/** Where the pending test goes in an existing test file. */
export function insertionFor(gap: Gap, file: string, text: string): TestInsertion {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const { imports, comments } = split(gap);
  const names = gap.qualifiedName.split('.').filter((n) => !n.startsWith('<'));
  const all = describes(sf);
  const top = all.filter((d) => !all.some((o) => o !== d && o.getStart(sf) <= d.getStart(sf) && d.getEnd() <= o.getEnd()));
  const target = [...all].reverse().find((d) => names.some((n) => title(d).includes(n))) ?? top[top.length - 1];
  const edits: Array<{ offset: number; text: string }> = [];
  const missing = imports.filter((i) => !text.includes(i) && !/^['"]use strict/.test(i));
  const lastImport = [...sf.statements].filter((s) => ts.isImportDeclaration(s) || (ts.isVariableStatement(s) && /require\(/.test(s.getText(sf)))).pop();
  if (missing.length) edits.push({ offset: lastImport ? lastImport.getEnd() : 0, text: lastImport ? `\n${missing.join('\n')}` : `${missing.join('\n')}\n` });
  const fnStyle = /\bfunction\s*\(\s*\)\s*\{/.test(text);
  // mocha's tdd interface defines suite/test only: follow the target suite, else the file's own calls.
  const tdd = target ? target.expression.getText(sf) === 'suite' : all.some((d) => d.expression.getText(sf) === 'suite') && !all.some((d) => d.expression.getText(sf) !== 'suite');
  const body = target?.arguments[1];
  let itText: string;
  let at: number;
  if (target && body && (ts.isFunctionExpression(body) || ts.isArrowFunction(body)) && ts.isBlock(body.body)) {
    const inner = body.body.statements[0];
    const line = inner ? text.slice(text.lastIndexOf('\n', inner.getStart(sf)) + 1, inner.getStart(sf)) : '  ';
    const indent = /^\s*$/.test(line) ? line : '  ';
    // At the start of the line holding the describe callback's closing `}` (or right before it).
    const close = body.body.getEnd() - 1;
    const lineStart = text.lastIndexOf('\n', close - 1) + 1;
    const own = /^\s*$/.test(text.slice(lineStart, close));
    at = own ? lineStart : close;
    itText = own ? `\n${pendingTest(gap, indent, comments, tdd)}\n` : `\n\n${pendingTest(gap, indent, comments, tdd)}\n`;
  } else {
    at = text.length;
    const name = names[names.length - 1] ?? path.basename(file);
    const open = fnStyle ? 'function () {' : '() => {';
    itText = `${text.endsWith('\n') ? '' : '\n'}\n${tdd ? 'suite' : 'describe'}(${quote(name)}, ${open}\n${pendingTest(gap, '  ', comments, tdd)}\n});\n`;
  }
  edits.push({ offset: at, text: itText });
  const shift = edits.filter((e) => e.offset <= at && e !== edits[edits.length - 1]).reduce((n, e) => n + e.text.length, 0);
  // The call is the inserted block's last line (the outline comments above it may hold `…it(`).
  return { file, create: false, edits, itOffset: at + shift + itText.lastIndexOf(pendingCall(gap, tdd)) };
}

/** The content of a new test file holding the pending test. */
export function newFileFor(gap: Gap, file: string): TestInsertion {
  const { imports, comments } = split(gap);
  const js = /\.[cm]?js$/.test(file);
  const name = gap.qualifiedName.split('.').filter((n) => !n.startsWith('<')).pop() ?? path.basename(file);
  const open = js && imports.some((i) => /require\(/.test(i)) ? 'function () {' : '() => {';
  const head = imports.length ? `${imports.join('\n')}\n\n` : '';
  const text = `${head}describe(${quote(name)}, ${open}\n${pendingTest(gap, '  ', comments, false)}\n});\n`;
  return { file, create: true, edits: [{ offset: 0, text }], itOffset: text.indexOf('\n  it(') + 3 };
}

/** Apply edits to a text (for tests and previews): later offsets first. */
export function applyInsertion(text: string, ins: TestInsertion): string {
  let out = ins.create ? '' : text;
  for (const e of [...ins.edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset);
  return out;
}
