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
import type { Position } from './model';

/** A branch side recovered from the AST. */
export interface BranchSide {
  kind: string;
  conditionText: string;
  sideNotTaken: string;
  description: string;
  start: number;
  end: number;
  /** For an `if`'s sides: the `if` statement's start. */
  owner?: number;
}

const candidatesCache = new WeakMap<ParsedSource, BranchSide[]>();

const squash = (s: string, max = 100) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function exits(stmt: ts.Statement): boolean {
  if (ts.isReturnStatement(stmt) || ts.isThrowStatement(stmt) || ts.isBreakStatement(stmt) || ts.isContinueStatement(stmt)) return true;
  if (ts.isBlock(stmt)) return stmt.statements.length > 0 && exits(stmt.statements[stmt.statements.length - 1]);
  if (ts.isIfStatement(stmt)) return !!stmt.elseStatement && exits(stmt.thenStatement) && exits(stmt.elseStatement);
  return false;
}

/** Every branch side of a file, with its range (offsets). */
export function branchCandidates(parsed: ParsedSource): BranchSide[] {
  const hit = candidatesCache.get(parsed);
  if (hit) return hit;
  const sf = parsed.sf;
  const out: BranchSide[] = [];
  const text = (n: ts.Node) => squash(n.getText(sf));
  let owner: number | undefined;
  const add = (kind: string, node: ts.Node | [number, number], conditionText: string, sideNotTaken: string, description: string) => {
    const [start, end] = Array.isArray(node) ? node : [node.getStart(sf), node.getEnd()];
    out.push({ kind, conditionText, sideNotTaken, description, start, end, ...(owner !== undefined ? { owner } : {}) });
  };
  const visit = (node: ts.Node): void => {
    owner = undefined;
    if (ts.isIfStatement(node)) {
      owner = node.getStart(sf);
      const c = text(node.expression);
      add('if', node.thenStatement, c, 'true', `\`${c}\` was never true`);
      if (node.elseStatement) add('if', node.elseStatement, c, 'false', `\`${c}\` was never false`);
      else add('if', [node.getStart(sf), node.getEnd()], c, 'false', exits(node.thenStatement)
        ? `\`${c}\` was never false (the code after the \`if\` never ran)`
        : `\`${c}\` was never false`);
    } else if (ts.isConditionalExpression(node)) {
      const c = text(node.condition);
      add('cond-expr', node.whenTrue, c, 'true', `\`${c}\` was never true (\`${text(node.whenTrue)}\` never chosen)`);
      add('cond-expr', node.whenFalse, c, 'false', `\`${c}\` was never false (\`${text(node.whenFalse)}\` never chosen)`);
    } else if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      const logical = [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken,
        ts.SyntaxKind.AmpersandAmpersandEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken];
      if (logical.includes(op)) {
        const c = text(node);
        const left = text(node.left);
        const why = op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken
          ? `\`${left}\` was never null or undefined`
          : op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.BarBarEqualsToken
            ? `\`${left}\` was never falsy`
            : `\`${left}\` was never truthy`;
        add('binary-expr', node.right, c, 'right operand', `${why}, so \`${text(node.right)}\` never ran`);
      }
    } else if (ts.isCaseClause(node) || ts.isDefaultClause(node)) {
      const sw = node.parent.parent as ts.SwitchStatement;
      const c = text(sw.expression);
      const side = ts.isCaseClause(node) ? `case ${text(node.expression)}` : 'default';
      add('switch', node, c, side, `\`switch (${c})\` never took \`${side}\``);
    } else if (ts.isCatchClause(node)) {
      add('catch', node.block, 'try', 'catch', 'the `catch` block never ran: no test made the `try` block throw');
    } else if (ts.isIterationStatement(node, false)) {
      const header = squash(node.getText(sf).slice(0, node.statement.getStart(sf) - node.getStart(sf)));
      add('loop', node.statement, header, 'body', `the loop body never ran (\`${header}\` never iterated)`);
    } else if (ts.isParameter(node) && node.initializer) {
      const c = text(node);
      add('default-arg', node.initializer, c, 'default value', `the default \`${text(node.initializer)}\` of \`${text(node.name)}\` was never used`);
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
  let hit: BranchSide | undefined;
  if (kind === 'if') {
    const ifStart = at(branch.loc.start);
    const sides = all.filter((c) => c.kind === 'if' && c.owner === ifStart);
    hit = sides.find((c) => c.sideNotTaken === (index === 0 ? 'true' : 'false'));
  } else if (kind === 'binary-expr' && index === 0) {
    const s = at(branch.loc.start);
    const first = squash(parsed.text.slice(s, at(branch.locations[0].start as Position) + 1));
    hit = { kind, conditionText: first, sideNotTaken: 'left operand', description: 'the expression never ran', start: s, end: s };
  } else {
    const start = at(branch.locations[Math.min(index, branch.locations.length - 1)].start);
    hit = all.find((c) => c.kind === kind && c.start === start);
  }
  if (hit) return hit;
  const s = at(branch.locations[index]?.start ?? branch.loc.start);
  const line = parsed.positionOf(s).line;
  return { kind, conditionText: '', sideNotTaken: `side ${index + 1}`, description: `a branch at line ${line} never ran`, start: s, end: s };
}
