import { strict as assert } from 'assert';
import type { Analysis, FileReport, Gap } from '../../../src/coverage/model';
import {
  commandUri, compactHover, filesBelowTarget, gapRangesForFile, HINT_COMMANDS, inlineHintText, neededText,
  renderHoverMarkdown, statusInfo, suggestedTestSnippet,
} from '../../../src/editor/hints';

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
      description: '`payload.fields.length === 0` was never true',
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

  it('renders the hover with what is untested, branch condition and side, closest tests, needed lines, suggested test and links', () => {
    const md = renderHoverMarkdown(report(), gap(), root);
    assert.match(md, /\*\*Gap-closure hint\*\* — `ProposalService.executeBrowserAction`/);
    assert.match(md, /lines 80% \/ target 90%/);
    assert.match(md, /\*\*Untested:\*\* the refusal when no browser executor is supplied/);
    assert.match(md, /line 47: `payload.fields.length === 0` — side `true` never ran/);
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

  it('keeps the engine’s code spans and plain operators, but neutralises links and HTML with entities (no backslashes)', () => {
    const summary = "`a < b` is never called [x](command:evil) <img> when typeof v !== 'string' || v.trim() === ''";
    const md = renderHoverMarkdown(report(), gap({ hint: { ...gap().hint, summary } }), root);
    const untested = md.split('\n').find((l) => l.startsWith('**Untested:**'));
    assert.equal(
      untested,
      "**Untested:** `a < b` is never called &#91;x&#93;(command:evil) &lt;img&gt; when typeof v !== 'string' || v.trim() === ''",
    );
    assert.ok(!untested.includes('\\'), 'no backslash escapes');
  });

  it('says when no test reaches the code and when the function never ran', () => {
    const md = renderHoverMarkdown(report(), gap({ closestTests: [], functionCalled: false }), root);
    assert.match(md, /\*\*Closest tests:\*\* none reach this code/);
    assert.match(md, /the function was never called/);
  });

  it('compact detail keeps header, figures, untested, needed and links only', () => {
    const md = compactHover(renderHoverMarkdown(report(), gap(), root, true));
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
