/**
 * Hints: a plain-words explanation per gap — what is untested, why it matters (a `@gap` JSDoc
 * label on the function, a config hint, or a generic reason) and the test to write, with an
 * arrange/act/assert outline that uses the project's own fixtures (found by parsing the test
 * folder's fixture/helper modules for their exports, not hard-coded).
 */
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import * as ts from 'typescript';
import { parseSource } from './ast';
import { globMatch } from './glob';
import type { BranchGap, Hint, HintRule, ResolvedConfig, SuggestedTest } from './model';

/** An exported fixture function of the test folder. */
export interface Fixture {
  name: string;
  file: string;
  params: string;
  async: boolean;
}

/** Folder part of a glob before its first wildcard (`test/governance/**` → `test/governance`). */
export function globBase(glob: string): string {
  const parts = glob.split('/');
  const i = parts.findIndex((p) => /[*?[\]{}!]/.test(p));
  return (i < 0 ? parts.slice(0, -1) : parts.slice(0, i)).join('/') || '.';
}

const fixtureCache = new Map<string, { key: string; fixtures: Fixture[] }>();

/** Exported functions of `fixtures`/`helpers`/`setup` modules under the test folders. */
export function findFixtures(config: ResolvedConfig): Fixture[] {
  const bases = [...new Set(config.testGlobs.map(globBase))];
  const files = fg.sync(bases.map((b) => `${b}/**/{*fixture*,*helper*,*factory*,*factories*,setup}.{ts,js}`), {
    cwd: config.root, absolute: true, ignore: ['**/node_modules/**', '**/*.test.*', '**/*.d.ts'],
  }).sort();
  const key = files.map((f) => `${f}:${fs.statSync(f).mtimeMs}`).join('|');
  const hit = fixtureCache.get(config.root);
  if (hit && hit.key === key) return hit.fixtures;
  const fixtures: Fixture[] = [];
  for (const file of files) {
    const { sf } = parseSource(file);
    for (const st of sf.statements) {
      const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if (ts.isFunctionDeclaration(st) && st.name) {
        const isAsync = !!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || /^Promise\b/.test(st.type?.getText(sf) ?? '');
        fixtures.push({ name: st.name.text, file, params: st.parameters.map((p) => p.name.getText(sf)).join(', '), async: isAsync });
      } else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          const init = d.initializer;
          if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
            const isAsync = !!ts.getModifiers(init)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || /^Promise\b/.test(init.type?.getText(sf) ?? '');
            fixtures.push({ name: d.name.text, file, params: init.parameters.map((p) => p.name.getText(sf)).join(', '), async: isAsync });
          }
        }
      }
    }
  }
  fixtureCache.set(config.root, { key, fixtures });
  return fixtures;
}

/**
 * The label for a function: its `@gap` tag, else the first matching config hint (name, then file).
 * Hint globs come from the workspace: matched in linear time (glob.ts), never by a backtracking regex.
 */
export function labelFor(
  qualifiedName: string,
  relativeFile: string,
  gapTag: string | undefined,
  hints: HintRule[],
): { why?: string; labelSource: Hint['labelSource'] } {
  if (gapTag) return { why: gapTag, labelSource: 'gap-tag' };
  const byName = hints.find((h) => h.match === qualifiedName || (/[*?]/.test(h.match) && !h.match.includes('/') && globMatch(qualifiedName, h.match)));
  if (byName) return { why: byName.label, labelSource: 'config' };
  const byFile = hints.find((h) => h.match.includes('/') && (h.match === relativeFile || globMatch(relativeFile, h.match)));
  if (byFile) return { why: byFile.label, labelSource: 'config' };
  return { labelSource: 'generic' };
}

/** Input of {@link buildHint}. */
export interface HintInput {
  config: ResolvedConfig;
  file: string;
  relative: string;
  qualifiedName: string;
  functionCalled: boolean;
  uncoveredRanges: Array<{ startLine: number; endLine: number }>;
  branches: BranchGap[];
  closestTests: string[];
  closestTestFile?: string;
  gapTag?: string;
  /** First sentence of the function's JSDoc, used to title a test for a never-called function. */
  docSummary?: string;
  fixtures: Fixture[];
  testFileFor: (source: string) => string;
  /** Source text of the enclosing function: fixtures it mentions are preferred. */
  functionText?: string;
}

const SETUP = /^(fresh|open|setup|create|make|new|build|init)/i;
const SEED = /^(seed|insert|add|with)/i;
const ASSERT_HELPER = /^(count|snapshot|allRows|expect|assert|read)/i;

/**
 * Fixtures for the Arrange lines: setup fixtures first (a fresh database), then seeders and
 * helpers whose subject the function mentions (`seedAgent` for code that reads `agent`), at most 3.
 */
export function pickArrange(fixtures: Fixture[], functionText: string): Fixture[] {
  const text = functionText.toLowerCase();
  const noun = (f: Fixture) => f.name.replace(SETUP, '').replace(SEED, '').replace(/s$/, '').toLowerCase();
  const setup = fixtures.filter((f) => SETUP.test(f.name));
  const mentioned = fixtures
    .filter((f) => !SETUP.test(f.name) && !ASSERT_HELPER.test(f.name))
    .map((f, i) => ({ f, i, hits: noun(f) ? text.split(noun(f)).length - 1 : 0 }))
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.i - b.i)
    .map((x) => x.f);
  const seeders = fixtures.filter((f) => SEED.test(f.name) && !mentioned.includes(f));
  return [...setup.slice(0, 1), ...mentioned, ...(mentioned.length ? [] : seeders)].slice(0, 3);
}

const rangesText = (r: Array<{ startLine: number; endLine: number }>) =>
  r.map((x) => (x.startLine === x.endLine ? `${x.startLine}` : `${x.startLine}-${x.endLine}`)).join(', ');

function behaviour(b: BranchGap | undefined): string {
  if (!b) return '';
  switch (b.kind) {
    case 'if':
    case 'cond-expr':
      return b.sideNotTaken === 'true' ? ` when ${b.conditionText}` : ` when not (${b.conditionText})`;
    case 'switch':
      return ` with ${b.sideNotTaken}`;
    case 'catch':
      return ' when the guarded call throws';
    case 'binary-expr':
      return ` when ${b.conditionText} falls through to its right operand`;
    case 'loop':
      return ' with items to iterate';
    case 'default-arg':
      return ' without the optional argument';
    default:
      return ` covering line ${b.line}`;
  }
}

/** Build the hint for one gap. */
export function buildHint(input: HintInput): Hint {
  const { qualifiedName: q, branches } = input;
  const lines = rangesText(input.uncoveredRanges);
  let summary: string;
  if (!input.functionCalled) summary = `\`${q}\` is never called by any test${lines ? ` (lines ${lines})` : ''}`;
  else {
    const parts: string[] = [];
    if (lines) parts.push(`line${input.uncoveredRanges.length === 1 && input.uncoveredRanges[0].startLine === input.uncoveredRanges[0].endLine ? '' : 's'} ${lines} never ran`);
    if (branches.length) parts.push(`${branches.length} branch side${branches.length === 1 ? '' : 's'} never taken (${branches[0].description}${branches.length > 1 ? ', …' : ''})`);
    summary = `\`${q}\`: ${parts.join('; ') || 'partly untested'}`;
  }
  const label = labelFor(q, input.relative, input.gapTag, input.config.hints);
  const why = label.why ?? (input.functionCalled
    ? 'untested paths are unverified behaviour: a regression there ships unnoticed'
    : 'no test exercises this function at all: nothing protects its behaviour');

  const [owner, method] = q.includes('.') ? [q.slice(0, q.lastIndexOf('.')), q.slice(q.lastIndexOf('.') + 1)] : [undefined, q];
  const first = branches[0];
  const doc = input.docSummary?.replace(/[.!?]$/, '');
  const title = `${q}${first ? behaviour(first) : input.functionCalled ? ` covers lines ${lines}` : doc ? `: ${/^[A-Z][a-z]/.test(doc) ? doc.charAt(0).toLowerCase() + doc.slice(1) : doc}` : ' returns the documented result'}`;
  const outline: string[] = [];
  const arrange = pickArrange(input.fixtures, input.functionText ?? '');
  const asserters = input.fixtures.filter((f) => ASSERT_HELPER.test(f.name)).slice(0, 2);
  for (const f of arrange) {
    outline.push(`Arrange: ${f.async ? 'await ' : ''}${f.name}(${f.params}) from ${path.relative(input.config.root, f.file)}`);
  }
  if (owner && /^[A-Z]/.test(owner.split('.').pop() ?? '')) outline.push(`Arrange: construct a ${owner.split('.').pop()} with those fixtures (inject fakes only for external executors)`);
  if (!arrange.length && !owner) outline.push(`Arrange: import ${method} from ${input.relative}`);
  if (first) outline.push(`Act: call ${method}(…) so that ${first.description.replace(/^(.)/, (m) => m.toLowerCase()).replace(/was never/, 'is now').replace(/never/, 'now')}`);
  else outline.push(`Act: call ${method}(…) on the path at lines ${lines || 'shown'}`);
  const helpers = asserters.length ? ` (${asserters.map((f) => `${f.name}(${f.params})`).join(', ')})` : '';
  outline.push(first?.kind === 'catch' || /throw|error|reject|refuse/i.test(first?.conditionText ?? '')
    ? `Assert: the error it raises (type and message) and that nothing was written${helpers}`
    : `Assert: the returned value and the rows / state it changed${helpers}`);
  const suggestedTest: SuggestedTest = {
    file: input.closestTestFile ?? input.testFileFor(input.file),
    title,
    outline,
  };
  const text = [
    `${q} — ${input.relative}${lines ? `:${lines}` : ''}`,
    `  What:  ${summary}`,
    `  Why:   ${why}`,
    ...branches.map((b) => `  Branch: line ${b.line}: ${b.description}`),
    ...(input.closestTests.length ? [`  Closest tests: ${input.closestTests.slice(0, 3).join(' | ')}`] : []),
    `  Write: ${path.relative(input.config.root, suggestedTest.file)} — it(${JSON.stringify(title)})`,
    ...outline.map((o) => `    ${o}`),
  ].join('\n');
  return { summary, why, labelSource: label.labelSource, suggestedTest, text };
}
