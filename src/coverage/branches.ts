/**
 * Branch-side detection: V8 reports a branch as a block range that ran N times, without saying
 * which construct or which side it is. We recover both from the TypeScript AST: each branching
 * construct contributes candidate ranges (an `if`'s then/else blocks and the code after an `if`
 * whose then-block exits, a `? :` alternative, the right operand of `&&`/`||`/`??`, a `case`,
 * a `catch`, a loop body, a parameter default), and a V8 range is matched to the candidate whose
 * start and end are nearest (source maps of minified tsx output are accurate to a token, not a
 * character).
 */
import * as ts from 'typescript';
import type { ParsedSource } from './ast';
import { branchInWords } from './conditions';
import type { BranchWhen, Position } from './model';

/** A branch side recovered from the AST. */
export interface BranchSide {
  kind: string;
  conditionText: string;
  sideNotTaken: string;
  /** What takes a run down this side, as data. */
  when: BranchWhen;
  /** The side as behaviour, in words (conditions.ts). */
  description: string;
  start: number;
  end: number;
  /** For an `if`'s sides: the `if` statement's start. */
  owner?: number;
}

/** A side as found in the AST; its words are made only for the sides that never ran ({@link describeSide}). */
export type BranchCandidate = Omit<BranchSide, 'description'>;

const candidatesCache = new WeakMap<ParsedSource, BranchCandidate[]>();

const squash = (s: string, max = 100) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The statement always ends in `return` / `throw` / `break` / `continue`. */
export function exits(stmt: ts.Statement): boolean {
  if (ts.isReturnStatement(stmt) || ts.isThrowStatement(stmt) || ts.isBreakStatement(stmt) || ts.isContinueStatement(stmt)) return true;
  if (ts.isBlock(stmt)) return stmt.statements.length > 0 && exits(stmt.statements[stmt.statements.length - 1]);
  if (ts.isIfStatement(stmt)) return !!stmt.elseStatement && exits(stmt.thenStatement) && exits(stmt.elseStatement);
  return false;
}

const LOGICAL: Partial<Record<ts.SyntaxKind, ['&&' | '||' | '??', boolean]>> = {
  [ts.SyntaxKind.AmpersandAmpersandToken]: ['&&', false],
  [ts.SyntaxKind.BarBarToken]: ['||', false],
  [ts.SyntaxKind.QuestionQuestionToken]: ['??', false],
  [ts.SyntaxKind.AmpersandAmpersandEqualsToken]: ['&&', true],
  [ts.SyntaxKind.BarBarEqualsToken]: ['||', true],
  [ts.SyntaxKind.QuestionQuestionEqualsToken]: ['??', true],
};

/** Every branch side of a file, with its range (offsets). */
export function branchCandidates(parsed: ParsedSource): BranchCandidate[] {
  const hit = candidatesCache.get(parsed);
  if (hit) return hit;
  const sf = parsed.sf;
  const out: BranchCandidate[] = [];
  const text = (n: ts.Node) => squash(n.getText(sf));
  let owner: number | undefined;
  const add = (kind: string, node: ts.Node | [number, number], conditionText: string, sideNotTaken: string, when: BranchWhen) => {
    const [start, end] = Array.isArray(node) ? node : [node.getStart(sf), node.getEnd()];
    out.push({ kind, conditionText, sideNotTaken, when, start, end, ...(owner !== undefined ? { owner } : {}) });
  };
  const visit = (node: ts.Node): void => {
    owner = undefined;
    if (ts.isIfStatement(node)) {
      owner = node.getStart(sf);
      const c = text(node.expression);
      add('if', node.thenStatement, c, 'true', { kind: 'test', test: c, holds: true, path: 'then' });
      const path = node.elseStatement ? 'else' : exits(node.thenStatement) ? 'after-if' : 'skip-if';
      add('if', node.elseStatement ?? [node.getStart(sf), node.getEnd()], c, 'false', { kind: 'test', test: c, holds: false, path });
    } else if (ts.isConditionalExpression(node)) {
      const c = text(node.condition);
      add('cond-expr', node.whenTrue, c, 'true', { kind: 'test', test: c, holds: true, path: 'value', value: text(node.whenTrue) });
      add('cond-expr', node.whenFalse, c, 'false', { kind: 'test', test: c, holds: false, path: 'value', value: text(node.whenFalse) });
    } else if (ts.isBinaryExpression(node)) {
      const logical = LOGICAL[node.operatorToken.kind];
      if (logical) {
        const [operator, assigns] = logical;
        add('binary-expr', node.right, text(node), 'right operand', { kind: 'operand', left: text(node.left), operator, assigns, right: text(node.right) });
      }
    } else if (ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const sw = node.parent.parent as ts.SwitchStatement;
      const c = text(sw.expression);
      const label = ts.isCaseClause(node) ? text(node.expression) : undefined;
      add('switch', node, c, label !== undefined ? `case ${label}` : 'default', { kind: 'case', subject: c, ...(label !== undefined ? { label } : {}) });
    } else if (ts.isCatchClause(node)) {
      add('catch', node.block, 'try', 'catch', { kind: 'throws' });
    } else if (ts.isIterationStatement(node, false)) {
      const header = squash(node.getText(sf).slice(0, node.statement.getStart(sf) - node.getStart(sf)));
      add('loop', node.statement, header, 'body', { kind: 'iterates' });
    } else if (ts.isParameter(node) && node.initializer) {
      add('default-arg', node.initializer, text(node), 'default value', { kind: 'default-value', param: text(node.name), value: text(node.initializer) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  candidatesCache.set(parsed, out);
  return out;
}

type IstanbulBranch = { type: string; loc: { start: Position }; locations: Array<{ start: Position }> };

/**
 * The side `index` of an istanbul branch (kind, condition and what never happened, in words),
 * read from the TypeScript AST: an `if`'s side 0 is its consequent and side 1 its `else` (or
 * the path that skips the consequent); a ternary's sides are its two results; a logical
 * expression's sides are its operands; a `switch`'s sides are its cases; a default parameter
 * has one side, the default.
 */
export function describeSide(parsed: ParsedSource, branch: IstanbulBranch, index: number): BranchSide {
  const all = branchCandidates(parsed);
  const kind = branch.type;
  const at = (p: Position) => parsed.offsetOf(p);
  let hit: BranchCandidate | undefined;
  if (kind === 'if') {
    const ifStart = at(branch.loc.start);
    const sides = all.filter((c) => c.kind === 'if' && c.owner === ifStart);
    hit = sides.find((c) => c.sideNotTaken === (index === 0 ? 'true' : 'false'));
  } else if (kind === 'binary-expr' && index === 0) {
    const s = at(branch.loc.start);
    const first = squash(parsed.text.slice(s, at(branch.locations[0].start as Position) + 1));
    return { kind, conditionText: first, sideNotTaken: 'left operand', when: { kind: 'unknown' }, description: 'the expression never ran', start: s, end: s };
  } else {
    const start = at(branch.locations[Math.min(index, branch.locations.length - 1)].start);
    hit = all.find((c) => c.kind === kind && c.start === start);
  }
  if (hit) return { ...hit, description: branchInWords(hit.when) };
  const s = at(branch.locations[index]?.start ?? branch.loc.start);
  const line = parsed.positionOf(s).line;
  return { kind, conditionText: '', sideNotTaken: `side ${index + 1}`, when: { kind: 'unknown' }, description: `a branch at line ${line} never ran`, start: s, end: s };
}
