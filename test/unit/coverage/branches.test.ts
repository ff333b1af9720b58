/**
 * Branch sides as behaviour: each construct's side (found in the AST by branches.ts) carries its
 * condition as data, and reads as "no test ran the case where <condition in words> (<what runs
 * there>)"; the Act line says the same condition ("when …"), a test title says it plainly.
 */
import { strict as assert } from 'node:assert';
import { parseSource } from '../../../src/coverage/ast';
import { branchCandidates, describeSide } from '../../../src/coverage/branches';
import { branchInWords } from '../../../src/coverage/conditions';
import { pathTo } from '../../../src/coverage/effects';
import { conditionWords } from '../../../src/coverage/hints';
import type { BranchGap } from '../../../src/coverage/model';

const SOURCE = `export function sides(a: number, b?: string, c = 10, list: string[] = [], kind: string | number = 'x') {
  if (a > 1) {
    step();
  } else {
    other();
  }
  if (!list.includes(b)) return 0;
  if (b) log(b);
  const v = a === 0 ? 'zero' : compute(a, b, c, list, kind, 'with an argument list too long to quote');
  const n = b ?? 'none';
  const ok = a > 0 && check(b);
  const seen = a > 0 || list.includes(b);
  const name = b || 'anon';
  cache ??= new Map();
  switch (kind) {
    case 'x':
      break;
    case 3:
      break;
    default:
      break;
  }
  try {
    risky();
  } catch {
    recover();
  }
  for (const item of list) use(item);
  return v;
}
`;

const parsed = () => parseSource('/virtual/sides.ts', SOURCE);
const gapOf = (c: ReturnType<typeof branchCandidates>[number]): BranchGap => ({
  line: parsed().positionOf(c.start).line, range: { start: parsed().positionOf(c.start), end: parsed().positionOf(c.end) },
  kind: c.kind, conditionText: c.conditionText, sideNotTaken: c.sideNotTaken, when: c.when, description: branchInWords(c.when),
});

describe('branch sides in words (branches.ts, conditions.ts)', () => {
  it('says each side of each construct as the case no test ran, and what runs there', () => {
    assert.deepEqual(branchCandidates(parsed()).map((c) => `${c.kind} ${c.sideNotTaken}: ${branchInWords(c.when)}`), [
      "default-arg default value: no test ran the case where the `c` argument is left out (the default `10`)",
      'default-arg default value: no test ran the case where the `list` argument is left out (the default `[]`)',
      "default-arg default value: no test ran the case where the `kind` argument is left out (the default `'x'`)",
      'if true: no test ran the case where `a` is greater than 1',
      'if false: no test ran the case where `a` is at most 1 (the `else` branch)',
      'if true: no test ran the case where `b` is not in `list`',
      'if false: no test ran the case where `b` is in `list` (the code after the `if`)',
      'if true: no test ran the case where `b` is truthy',
      'if false: no test ran the case where `b` is falsy (the `if` body skipped)',
      "cond-expr true: no test ran the case where `a` is 0 (which gives `'zero'`)",
      'cond-expr false: no test ran the case where `a` is not 0',
      "binary-expr right operand: no test ran the case where `b` is null or undefined (which falls back to `'none'`)",
      'binary-expr right operand: no test ran the case where `a` is greater than 0 (which then evaluates `check(b)`)',
      'binary-expr right operand: no test ran the case where `a` is at most 0 (which then checks whether `b` is in `list`)',
      "binary-expr right operand: no test ran the case where `b` is falsy (which falls back to `'anon'`)",
      'binary-expr right operand: no test ran the case where `cache` is null or undefined (which assigns `new Map()`)',
      "switch case 'x': no test ran the case where `kind` is `'x'`",
      'switch case 3: no test ran the case where `kind` is 3',
      'switch default: no test ran the case where `kind` matches no case (the `default` clause)',
      'catch catch: no test ran the case where the `try` block throws (the `catch` block)',
      'loop body: no test ran the case where the loop has something to iterate over (the loop body)',
    ]);
  });

  it('keeps the condition as data on the side, not only as prose', () => {
    const [, , , ifTrue, ifFalse] = branchCandidates(parsed());
    assert.deepEqual(ifTrue.when, { kind: 'test', test: 'a > 1', holds: true, path: 'then' });
    assert.deepEqual(ifFalse.when, { kind: 'test', test: 'a > 1', holds: false, path: 'else' });
    const nullish = branchCandidates(parsed()).find((c) => c.when.kind === 'operand' && c.when.operator === '??' && !c.when.assigns);
    assert.deepEqual(nullish?.when, { kind: 'operand', left: 'b', operator: '??', assigns: false, right: "'none'" });
  });

  it('gives the Act line the same condition ("when …") and a test title a plain one', () => {
    const act = branchCandidates(parsed()).map((c) => conditionWords(gapOf(c)));
    assert.deepEqual(act, [
      'when the `c` argument is left out',
      'when the `list` argument is left out',
      'when the `kind` argument is left out',
      'when `a` is greater than 1',
      'when `a` is at most 1',
      'when `b` is not in `list`',
      'when `b` is in `list`',
      'when `b` is truthy',
      'when `b` is falsy',
      'when `a` is 0',
      'when `a` is not 0',
      'when `b` is null or undefined',
      'when `a` is greater than 0',
      'when `a` is at most 0',
      'when `b` is falsy',
      'when `cache` is null or undefined',
      "when `kind` is `'x'`",
      'when `kind` is 3',
      'when `kind` matches no case',
      'when the `try` block throws',
      'when the loop has something to iterate over',
    ]);
    const regex = parseSource('/virtual/regex.ts', 'export const f = (name) => { if (!/^[`\\w]+$/.test(name)) throw new TypeError(name); };');
    const [side] = branchCandidates(regex);
    assert.equal(conditionWords(gapOf(side)), 'when `name` does not match `` /^[`\\w]+$/ ``');
    assert.equal(conditionWords(gapOf(side), { brief: true }), 'when name does not match the pattern');
  });

  it('reads an istanbul branch side the same way, and names a side it cannot place by its line', () => {
    const p = parsed();
    const at = (line: number, column: number) => ({ line, column });
    const ifBranch = { type: 'if', loc: { start: at(2, 2) }, locations: [{ start: at(2, 2) }, { start: at(2, 2) }] };
    assert.equal(describeSide(p, ifBranch, 1).description, 'no test ran the case where `a` is at most 1 (the `else` branch)');
    const nowhere = { type: 'cond-expr', loc: { start: at(27, 2) }, locations: [{ start: at(27, 2) }, { start: at(27, 4) }] };
    assert.equal(describeSide(p, nowhere, 0).description, 'a branch at line 27 never ran');
  });

  it('finds the conditions on the way to what a function does (for a function that never ran)', () => {
    const src = [
      'export function text(type: string) {',
      '  return function parse(body: string, contentType: string) {',
      '    if (contentType !== type) {',
      '      return undefined;',
      '    }',
      '    if (!body) throw new Error("empty");',
      '    return body.length > 3 ? String(body) : "";',
      '  };',
      '}',
    ].join('\n');
    const p = parseSource('/virtual/path.ts', src);
    const parse = p.functions.find((f) => f.name.endsWith('parse'))!;
    assert.deepEqual(pathTo(parse.node, src.indexOf('String(body)'), p.sf), [
      { test: 'contentType !== type', holds: false },
      { test: '!body', holds: false },
      { test: 'body.length > 3', holds: true },
    ]);
    assert.deepEqual(pathTo(parse.node, src.indexOf('throw'), p.sf), [
      { test: 'contentType !== type', holds: false },
      { test: '!body', holds: true },
    ]);
    // The outer function stops at the inner one: its conditions are not on the outer path.
    const outer = p.functions.find((f) => f.name === 'text')!;
    assert.deepEqual(pathTo(outer.node, src.indexOf('String(body)'), p.sf), []);
    // A callback handed to a call (a transaction) runs: its conditions are on the path.
    const tx = 'export function resume(db, id) {\n  return db.transaction(() => {\n    if (!db.get(id)) throw new Error("gone");\n    return id;\n  });\n}';
    const q = parseSource('/virtual/tx.ts', tx);
    assert.deepEqual(pathTo(q.functions.find((f) => f.name === 'resume')!.node, tx.indexOf('throw'), q.sf), [{ test: '!db.get(id)', holds: true }]);
  });
});
