import { strict as assert } from 'assert';
import type { Analysis, FileReport, Gap } from '../../../src/coverage/model';
import {
  codeBlock, codeSpan, commandUri, filesBelowTarget, gapRangesForFile, HINT_COMMANDS, hoverParagraphs, inlineHintText, neededText,
  statusInfo, suggestedTestSnippet, type HoverParagraph, type HoverPiece,
} from '../../../src/editor/hints';

/** The hover's content as a person reads it: workspace text as is, code pieces as their code spans. */
const read = (paragraphs: HoverParagraph[], compact = false) =>
  paragraphs
    .filter((p) => !compact || p.compact)
    .map((p) => p.pieces.map((x: HoverPiece) => ('md' in x ? x.md : 'text' in x ? x.text : 'code' in x ? codeSpan(x.code) : codeBlock(x.codeblock, x.lang))).join(''))
    .join('\n\n');
const renderHoverMarkdown = (r: FileReport, g: Gap, rootDir: string, stale = false) => read(hoverParagraphs(r, g, rootDir, stale));

const root = '/ws';
const file = '/ws/src/governance/proposalService.ts';
const metric = (covered: number, total: number) => ({ covered, total, pct: total ? (covered / total) * 100 : 100 });

function gap(over: Partial<Gap> = {}): Gap {
  return {
    id: `${file}#ProposalService.executeBrowserAction`,
    file,
    qualifiedName: 'ProposalService.executeBrowserAction',
    functionRange: { start: { line: 40, column: 2 }, end: { line: 60, column: 3 } },
    uncoveredLines: [42, 43, 44, 50],
    uncoveredRanges: [{ startLine: 42, endLine: 44 }, { startLine: 50, endLine: 50 }],
    branches: [{
      line: 47, range: { start: { line: 47, column: 8 }, end: { line: 47, column: 30 } }, kind: 'if',
      conditionText: 'payload.fields.length === 0', sideNotTaken: 'true',
      when: { kind: 'test', test: 'payload.fields.length === 0', holds: true, path: 'then' },
      description: 'no test ran the case where `payload.fields.length` is 0',
    }],
    functionCalled: true,
    closestTests: ['ProposalService executes an approved browser action'],
    gain: { lines: 4, branches: 1 },
    hint: {
      summary: 'the refusal when no browser executor is supplied',
      why: 'action execution: an approved proposal acts on the real world',
      labelSource: 'config',
      suggestedTest: {
        file: '/ws/test/governance/unit/proposalService.test.ts',
        title: 'ProposalService.executeBrowserAction refuses without an executor',
        outline: ['// arrange: a service with no browser executor', '// act: execute an approved proposal', '// assert: it throws ExecutorMissing'],
      },
      text: 'plain text',
    },
    ...over,
  };
}

function report(over: Partial<FileReport> = {}): FileReport {
  return {
    file, relative: 'src/governance/proposalService.ts',
    figures: { lines: metric(80, 100), branches: metric(10, 20), functions: metric(9, 10), statements: metric(85, 100) },
    target: { lines: 90 }, meetsTarget: false, failing: ['lines'],
    needed: { lines: 10, branches: 1, functions: 0, statements: 0 },
    gaps: [gap()], ...over,
  };
}

function analysis(files: FileReport[], overallTarget?: number): Analysis {
  return { root, files, totals: files[0]?.figures ?? report().figures, overallTarget, allTargetsMet: files.every((f) => f.meetsTarget), durationMs: 5 };
}

describe('editor/hints: decorations, hover, status text', () => {
  it('decorates only files below target that have gaps', () => {
    const ok = report({ file: '/ws/src/governance/ok.ts', meetsTarget: true });
    const noGaps = report({ file: '/ws/src/governance/empty.ts', gaps: [] });
    assert.deepEqual(filesBelowTarget(analysis([report(), ok, noGaps])).map((f) => f.file), [file]);
  });

  it('turns 1-based uncovered runs and untaken-branch lines into 0-based ranges', () => {
    assert.deepEqual(gapRangesForFile(report()), [
      { startLine: 41, endLine: 43, gapId: gap().id, reason: 'lines' },
      { startLine: 46, endLine: 46, gapId: gap().id, reason: 'branch' },
      { startLine: 49, endLine: 49, gapId: gap().id, reason: 'lines' },
    ]);
  });

  it('renders the hover with what is untested, the branch in words, closest tests, needed lines, suggested test and links', () => {
    const md = renderHoverMarkdown(report(), gap(), root);
    assert.match(md, /\*\*Gap-closure hint\*\* — `ProposalService.executeBrowserAction`/);
    assert.match(md, /lines 80% \/ target 90%/);
    assert.match(md, /\*\*Untested:\*\* the refusal when no browser executor is supplied/);
    assert.match(md, /\*\*Branches never taken:\*\*\n- line 47: no test ran the case where `payload.fields.length` is 0\n/);
    assert.match(md, /- ProposalService executes an approved browser action/);
    assert.match(md, /\*\*Still needed for the target:\*\* 10 more lines, 1 more branch; closing this gap adds 4 lines and 1 branch/);
    assert.match(md, /in `test\/governance\/unit\/proposalService.test.ts`: ProposalService.executeBrowserAction refuses without an executor/);
    assert.match(md, /```ts\n\/\/ arrange: a service with no browser executor\n/);
    assert.ok(md.includes(commandUri(HINT_COMMANDS.runFileTests, { source: file })));
    assert.ok(md.includes(`command:${HINT_COMMANDS.showPlan}?`));
    assert.ok(md.includes(commandUri(HINT_COMMANDS.copyOutline, { gapId: gap().id })));
    assert.doesNotMatch(md, /changed since the last run/);
    assert.match(renderHoverMarkdown(report(), gap(), root, true), /changed since the last run/);
  });

  it('puts workspace text (titles, names, conditions, paths) only in text and code pieces, never in its own markdown', () => {
    const link = '[t](https://evil.example)';
    const hostile = [`\\\`${link}\``, `\`\` ${link} \`\``, `<img src=x onerror=alert(1)>`, `$(alert) ${link}`];
    const g = gap({
      qualifiedName: hostile[0],
      closestTests: hostile,
      branches: [{ ...gap().branches[0], conditionText: hostile[1], sideNotTaken: hostile[1], description: hostile[2] }],
      hint: { ...gap().hint, summary: hostile[1], why: hostile[3], suggestedTest: { ...gap().hint.suggestedTest, title: hostile[0], outline: ['```', link] } },
    });
    const paragraphs = hoverParagraphs(report({ relative: `src/${hostile[2]}.ts` }), g, root);
    const markdown = paragraphs.flatMap((p) => p.pieces).filter((x): x is { md: string } => 'md' in x).map((x) => x.md);
    assert.deepEqual(markdown.filter((m) => /evil|onerror|alert/.test(m)), [], 'hostile text in markdown pieces');
    const shown = paragraphs.flatMap((p) => p.pieces).flatMap((x) => ('text' in x ? [x.text] : 'code' in x ? [x.code] : []));
    for (const h of hostile.slice(0, 3)) assert.ok(shown.includes(h), `${h} is shown as text or code`);
  });

  it('code spans and blocks hold any text literally: their fence is longer than any backtick run inside', () => {
    assert.equal(codeSpan('payload.fields.length === 0'), '`payload.fields.length === 0`');
    assert.equal(codeSpan('a `` [t](https://e) ``'), '``` a `` [t](https://e) `` ```');
    assert.equal(codeSpan('`x`'), '`` `x` ``');
    assert.equal(codeSpan('two\nlines'), '`two lines`');
    assert.equal(codeBlock('```\n[t](https://e)', 'ts'), '````ts\n```\n[t](https://e)\n````');
    assert.equal(codeBlock('a', 't s`'), '```ts\na\n```');
  });

  it('encodes parentheses in command links, so a path cannot end the link', () => {
    const uri = commandUri('x.y', { source: '/ws/src/a) [x](command:evil.ts' });
    assert.doesNotMatch(uri, /[()\s[\]]/);
    assert.deepEqual(JSON.parse(decodeURIComponent(uri.slice('command:x.y?'.length))), [{ source: '/ws/src/a) [x](command:evil.ts' }]);
  });

  it('says when no test reaches the code and when the function never ran', () => {
    const md = renderHoverMarkdown(report(), gap({ closestTests: [], functionCalled: false }), root);
    assert.match(md, /\*\*Closest tests:\*\* none reach this code/);
    assert.match(md, /the function was never called/);
  });

  it('compact detail keeps header, figures, untested, needed and links only', () => {
    const md = read(hoverParagraphs(report(), gap(), root, true), true);
    const paragraphs = md.split('\n\n');
    assert.equal(paragraphs.length, 6);
    assert.match(paragraphs[0], /^\*\*Gap-closure hint/);
    assert.match(paragraphs[1], /^\*src\/governance\/proposalService.ts: lines 80%/);
    assert.match(paragraphs[2], /^⚠/);
    assert.match(paragraphs[3], /^\*\*Untested:/);
    assert.match(paragraphs[4], /^\*\*Still needed for the target:/);
    assert.match(paragraphs[5], /^\[\$\(play\) Run this file's tests\]/);
    assert.doesNotMatch(md, /Suggested test|Closest tests|Branches never taken/);
  });

  it('encodes command arguments as a JSON array', () => {
    const uri = commandUri('x.y', { a: 1 });
    assert.deepEqual(JSON.parse(decodeURIComponent(uri.slice('command:x.y?'.length))), [{ a: 1 }]);
  });

  it('builds a pasteable test from the outline and short inline/needed texts', () => {
    assert.equal(
      suggestedTestSnippet(gap()),
      'it("ProposalService.executeBrowserAction refuses without an executor", async () => {\n' +
        '  // arrange: a service with no browser executor\n  // act: execute an approved proposal\n  // assert: it throws ExecutorMissing\n});\n',
    );
    assert.equal(inlineHintText(gap()), '◂ gap: the refusal when no browser executor is supplied');
    assert.equal(neededText(report({ needed: { lines: 0, branches: 0, functions: 0, statements: 0 } })), 'nothing (target met)');
  });

  it('shows floored coverage against the target and flags below-target', () => {
    const a = analysis([report({ figures: { ...report().figures, lines: { covered: 899, total: 1000, pct: 89.9 } } })], 90);
    const s = statusInfo(a);
    assert.equal(s.text, 'Gov 89% / 90%');
    assert.equal(s.belowTarget, true);
    assert.match(s.tooltip, /1 file below target/);
    const met = statusInfo(analysis([report({ meetsTarget: true, figures: { ...report().figures, lines: metric(95, 100) } })], 90));
    assert.deepEqual([met.text, met.belowTarget], ['Gov 95% / 90%', false]);
    assert.equal(statusInfo(undefined).text, '$(beaker) Gov –');
  });
});
