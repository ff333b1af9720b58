/**
 * Hints: one task per gap, on behaviour — what is untested, why it matters (a `@gap` JSDoc label
 * on the function, a config hint, or a generic reason), and the test to write:
 * - the public way in (the exported function or public method) and the call path from it to the
 *   gap (`execute → run → undo`, ways.ts), never a private name as the thing to call;
 * - the condition in words (`when \`steps.length\` is 0`, `when the \`values\` argument is left
 *   out`; for a function that never ran, the conditions on the way to what it does) and the
 *   assertion chosen from what the untested code does (effects.ts: throws code X, returns,
 *   writes rows, calls an executor), in the project's assertion style;
 * - a title that names that behaviour (`execute throws EMPTY_PLAN when steps.length is 0`,
 *   `isRedirect returns whether code is in redirectStatus`), at most 90 characters;
 * - the project's own test file naming, language and imports (layout.ts): an import line is
 *   copied from an existing test, never invented for something not exported;
 * - governance wording ("and nothing was written") only in a governance project;
 * - a warning when the function never ran.
 * The fixtures for the Arrange lines are found by parsing the test folder's fixture/helper
 * modules for their exports (not hard-coded).
 */
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import * as ts from 'typescript';
import { parseSource } from './ast';
import { checkInWords, whenInWords, type WordsOptions } from './conditions';
import type { Effect } from './effects';
import type { Layout } from './layout';
import { globMatch } from './glob';
import type { BranchGap, Hint, HintRule, ResolvedConfig, SuggestedTest } from './model';
import { pathText, type WayIn } from './ways';

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
  layout: Layout;
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
  /** Source text of the enclosing function: fixtures it mentions are preferred. */
  functionText?: string;
  /** The public way in (undefined: nothing exported reaches the function). */
  way?: WayIn;
  /** What the untested code does. */
  effect: Effect;
  /** The condition that takes the test there, in words (`when …`), if any. */
  condition?: string;
  /** The same condition, brief and plain, for the test's title (`when steps.length is 0`). */
  titleCondition?: string;
  /** Other functions this one test also covers (merged gaps). */
  alsoCovers?: string[];
}

const SETUP = /^(fresh|open|setup|create|make|new|build|init)/i;
const SEED = /^(seed|insert|add|with)/i;
const ASSERT_HELPER = /^(count|snapshot|allRows|expect|assert|read)/i;

/**
 * Fixtures for the Arrange lines: setup fixtures first (a fresh database), then seeders and
 * helpers whose subject the function mentions (`seedAgent` for code that reads `agent`), at most 3.
 */
export function pickArrange(fixtures: Fixture[], functionText: string, params: string[] = []): Fixture[] {
  const text = functionText.toLowerCase();
  const forParam = fixtures.filter((f) => params.some((p) => p.length > 2 && f.name.toLowerCase().endsWith(p.toLowerCase())));
  const noun = (f: Fixture) => f.name.replace(SETUP, '').replace(SEED, '').replace(/s$/, '').toLowerCase();
  const setup = fixtures.filter((f) => SETUP.test(f.name));
  const mentioned = fixtures
    .filter((f) => !SETUP.test(f.name) && !ASSERT_HELPER.test(f.name))
    .map((f, i) => ({ f, i, hits: noun(f) ? text.split(noun(f)).length - 1 : 0 }))
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits || a.i - b.i)
    .map((x) => x.f);
  const seeders = fixtures.filter((f) => SEED.test(f.name) && !mentioned.includes(f));
  const picked = [...setup.slice(0, 1), ...forParam, ...mentioned.filter((f) => !forParam.includes(f)), ...(mentioned.length ? [] : seeders)];
  return [...new Set(picked)].slice(0, 3 + forParam.length);
}

const rangesText = (r: Array<{ startLine: number; endLine: number }>) =>
  r.map((x) => (x.startLine === x.endLine ? `${x.startLine}` : `${x.startLine}-${x.endLine}`)).join(', ');

/**
 * The condition of a branch side, in words, for the Act line (`when \`steps.length\` is 0`; see
 * conditions.ts) or, `brief`, for a test title (`when steps.length is 0`), made from the side's
 * structured condition.
 */
export function conditionWords(b: BranchGap, options: WordsOptions = {}): string {
  return b.when.kind === 'unknown' ? `so that line ${b.line} runs` : `when ${whenInWords(b.when, options)}`;
}

const plain = (s: string) => s.replace(/`/g, '');

/** What the test should see, as a verb phrase: `throws ExecutionError EMPTY_PLAN`. */
export function effectPhrase(e: Effect): string {
  switch (e.kind) {
    case 'throws':
      return `throws ${e.code ?? e.error}`;
    case 'returns':
      return `returns ${e.rows ? rowsWords(e.rows) : valueWords(e.value, e.shape)}`;
    case 'writes':
      if (e.change === 'update') return `updates ${e.table ? `${e.table} rows` : 'rows'}`;
      if (e.change === 'delete') return `deletes ${e.table ? `${e.table} rows` : 'rows'}`;
      return `writes a row${e.table ? ` to ${e.table}` : ''}`;
    case 'calls':
      return e.executor ? `calls the executor \`${e.callee}\`` : `calls \`${e.callee}\``;
    case 'swallows':
      return 'handles the error without throwing';
    default:
      return 'works';
  }
}

/** Rows read by a `SELECT`: `the supervision_sessions rows that match filter`. */
function rowsWords(rows: { table: string; matching: string[] }): string {
  return `the ${rows.table} rows${rows.matching.length ? ` that match ${rows.matching.join(' and ')}` : ''}`;
}

/**
 * A returned value in a few words: a yes/no check as what it checks (`whether code is in
 * redirectStatus`), short code as it is, `{ completed, errors }` for an object, `the textParser
 * function`, else its shape (`an object`, `a list`) when known.
 */
export function valueWords(v: string, shape?: string): string {
  const fn = /^(?:async\s+)?function\s*([\w$]*)/.exec(v) ?? (/^(\([^)]*\)|[\w$]+)\s*=>/.test(v) ? [v, ''] : null);
  if (fn) return fn[1] ? `the ${fn[1]} function` : 'a function';
  if (v.startsWith('`')) return 'its text';
  if (v.startsWith('{')) {
    const keys = [...v.matchAll(/(?<=[{,]\s*)([\w$]+)(?=\s*[:,}])/g)].map((m) => m[1]);
    if (keys.length) return `{ ${keys.join(', ')} }`;
  }
  const check = checkInWords(v, { brief: true });
  if (check) return `whether ${check}`;
  return v.length <= 40 ? `\`${v}\`` : shape ?? 'its result';
}

/** The Assert line, in the project's style; governance wording only in a governance project. */
function assertLine(e: Effect, call: string, layout: Layout): string {
  const quoted = (c: string) => (/^\d+$/.test(c) ? c : `'${c}'`);
  const unchanged = layout.governance ? ' and that nothing was written (count the rows before and after)' : ' and that nothing changed';
  switch (e.kind) {
    case 'throws': {
      const prop = e.code && /^\d+$/.test(e.code) ? 'status' : 'code';
      const code = layout.assertStyle === 'expect'
        ? `expect(() => ${call}).to.throw(${/^[A-Z]\w*$/.test(e.error) ? e.error : ''})`
        : `assert.throws(() => ${call}, ${e.code ? `{ ${prop}: ${quoted(e.code)} }` : e.error})`;
      return `Assert: \`${code}\`${unchanged}`;
    }
    case 'returns':
      return `Assert: \`${layout.assertStyle === 'expect' ? 'expect(result).to.deep.equal(…)' : 'assert.deepEqual(result, …)'}\` with the value the code returns there (\`${e.value.length > 60 ? `${e.value.slice(0, 59)}…` : e.value}\`)`;
    case 'writes': {
      const where = e.table ? ` in ${e.table}` : '';
      if (e.change === 'update') return `Assert: the changed row${where} and its new values`;
      if (e.change === 'delete') return `Assert: the row is gone${e.table ? ` from ${e.table}` : ''}, and only that row`;
      return `Assert: the new row${where} and its values`;
    }
    case 'calls':
      return e.executor ? `Assert: the fake executor received the call (inject a fake for \`${e.callee}\`)` : `Assert: \`${e.callee}\` was called (pass a stand-in that records its calls)`;
    case 'swallows':
      return `Assert: the call does not throw, and what it returns or records instead`;
    default:
      return `Assert: what the call returns or changes on that path`;
  }
}

function summaryOf(input: HintInput, lines: string): string {
  const q = input.qualifiedName;
  const one = input.uncoveredRanges.length === 1 && input.uncoveredRanges[0].startLine === input.uncoveredRanges[0].endLine;
  if (!input.functionCalled) return `⚠ \`${q}\` never ran: no test calls it${lines ? ` (line${one ? '' : 's'} ${lines})` : ''}`;
  const parts: string[] = [];
  if (lines) parts.push(`line${input.uncoveredRanges.length === 1 && input.uncoveredRanges[0].startLine === input.uncoveredRanges[0].endLine ? '' : 's'} ${lines} never ran`);
  if (input.branches.length) parts.push(`${input.branches.length} branch side${input.branches.length === 1 ? '' : 's'} never taken (${input.branches[0].description}${input.branches.length > 1 ? ', …' : ''})`);
  return `\`${q}\`: ${parts.join('; ') || 'partly untested'}`;
}

const TITLE_MAX = 90;

/**
 * The test's title: what the entry does on the gap's path and when (`execute throws EMPTY_PLAN
 * when steps.length is 0`); without the condition when that makes it longer than 90 characters.
 */
export function titleOf(entryName: string, effect: string, condition: string | undefined): string {
  const base = `${entryName} ${effect}`;
  const full = condition ? `${base} ${condition}` : base;
  if (full.length <= TITLE_MAX) return full;
  return base.length <= TITLE_MAX ? base : `${base.slice(0, TITLE_MAX - 1)}…`;
}

/** The Arrange/Act/Assert outline and the test's title. */
function outlineOf(input: HintInput, testFile: string): { title: string; outline: string[] } {
  const { way, layout } = input;
  const short = (n: string) => n.slice(n.lastIndexOf('.') + 1);
  const entryName = way ? short(way.entry.fn.name) : short(input.qualifiedName);
  const condition = input.condition ?? '';
  const title = titleOf(entryName, plain(effectPhrase(input.effect)), input.titleCondition);
  const outline: string[] = [];
  if (!fs.existsSync(testFile)) for (const line of layout.preambleFor(testFile)) outline.push(`Arrange: ${line}`);
  if (way?.access && !fs.existsSync(testFile)) outline.push(`Arrange: ${way.access.importLine}`);
  else if (way?.access && !fs.readFileSync(testFile, 'utf8').includes(way.access.importLine)) outline.push(`Arrange: ${way.access.importLine}`);
  const callParams = /\(([^()]*)\)$/.exec(way?.call ?? '')?.[1].split(',').map((p) => p.trim()) ?? [];
  for (const f of pickArrange(input.fixtures, input.functionText ?? '', callParams)) {
    outline.push(`Arrange: ${f.async ? 'await ' : ''}${f.name}(${f.params}) from ${path.relative(input.config.root, f.file).split(path.sep).join('/')}`);
  }
  const call = way?.call ?? `${short(input.qualifiedName)}(…)`;
  const merged = (input.alsoCovers ?? []).map((n) => (n.endsWith('.constructor') ? `new ${short(n.slice(0, -'.constructor'.length))}` : short(n)));
  const route = way ? [pathText(way), ...(merged.length ? [merged.join(', ')] : [])].join(' → ') : '';
  const via = route.includes('→') ? ` (path: ${route})` : '';
  if (input.qualifiedName === '(top level)') outline.push(`Act: load \`${input.relative}\` in a test (import it): its top-level code runs when it loads`);
  else if (way) outline.push(`Act: call \`${call}\`${condition ? ` ${condition}` : ''}${via}`);
  else outline.push(`Act: nothing exported reaches \`${input.qualifiedName}\`: export it or test it through the code that uses it${condition ? `, ${condition}` : ''}`);
  outline.push(assertLine(input.effect, call, layout));
  return { title, outline };
}

/** Build the hint for one gap. */
export function buildHint(input: HintInput): Hint {
  const q = input.qualifiedName;
  const lines = rangesText(input.uncoveredRanges);
  const summary = summaryOf(input, lines);
  const label = labelFor(q, input.relative, input.gapTag, input.config.hints);
  const why = label.why ?? (input.functionCalled
    ? 'untested paths are unverified behaviour: a regression there ships unnoticed'
    : 'no test exercises this function at all: nothing protects its behaviour');
  const file = input.closestTestFile ?? input.layout.testFileFor(input.file);
  const { title, outline } = outlineOf(input, file);
  const suggestedTest: SuggestedTest = { file, title, outline };
  const rel = (p: string) => path.relative(input.config.root, p).split(path.sep).join('/');
  const text = [
    `${q} — ${input.relative}${lines ? `:${lines}` : ''}`,
    `  What:  ${summary}`,
    `  Why:   ${why}`,
    ...(input.functionCalled ? input.branches.map((b) => `  Branch: line ${b.line}: ${b.description}`) : []),
    ...(input.alsoCovers?.length ? [`  Also covers: ${input.alsoCovers.map((n) => `\`${n}\``).join(', ')} (called only from this untested code)`] : []),
    ...(input.closestTests.length ? [`  Closest tests: ${input.closestTests.slice(0, 3).join(' | ')}`] : []),
    `  Write: ${rel(suggestedTest.file)}${fs.existsSync(suggestedTest.file) ? '' : ' (new file)'} — it(${JSON.stringify(title)})`,
    ...outline.map((o) => `    ${o}`),
  ].join('\n');
  return { summary, why, labelSource: label.labelSource, suggestedTest, text };
}
