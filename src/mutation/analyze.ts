/**
 * `analyzeMutation`: a StrykerJS report (mutation-testing-report-schema JSON) held against the
 * config's `mutation` targets, with the surviving and uncovered mutants as gaps in the same shape
 * as coverage gaps — grouped by enclosing function (`ast.ts`, the qualified names coverage uses),
 * ordered by value (most mutants a test there would kill first), each with a hint: what no test
 * checks, the tests that ran the mutant and still passed (StrykerJS's `coveredBy`; for a static
 * mutant, which StrykerJS runs against every test, the tests of the files importing the module),
 * what to assert, and in which test file.
 *
 * The score is StrykerJS's (and mutation-testing-metrics'): (killed + timeout) / (killed +
 * timeout + survived + no coverage); errors and ignored mutants do not count.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseSource, type ParsedSource } from '../coverage/ast';
import { globBase, labelFor } from '../coverage/hints';
import type { ResolvedConfig } from '../coverage/model';
import { ASSERT_ADVICE, ASSERT_TITLE, assertKind, type AssertKind, mutantDiff, mutantSentence, valuePathAt } from './hints';
import type { MutantGap, MutationAnalysis, MutationFileReport, MutationGap, MutationReport, MutationScore, SchemaFile, SchemaMutant } from './model';
import { MutationInputError, mutationTargetFor } from './options';

const TOP_LEVEL = '(top level)';

/**
 * Score of a list of mutants; those `isEquivalent` accepts leave the denominator when they survived
 * or timed out (an equivalent mutant cannot be killed: its Timeout is a slow machine, not a test
 * that noticed it).
 */
export function scoreOf(mutants: readonly SchemaMutant[], isEquivalent: (m: SchemaMutant) => boolean = () => false): MutationScore {
  const n = (s: string) => mutants.filter((m) => m.status === s).length;
  const eq = (s: string) => mutants.filter((m) => m.status === s && isEquivalent(m)).length;
  const [eqSurvived, eqTimeout] = [eq('Survived'), eq('Timeout')];
  const [killed, timeout, survived, noCoverage] = [n('Killed'), n('Timeout') - eqTimeout, n('Survived') - eqSurvived, n('NoCoverage')];
  return withTotals({
    killed, timeout, survived, noCoverage, equivalent: eqSurvived + eqTimeout, errors: n('CompileError') + n('RuntimeError'), ignored: n('Ignored'),
  });
}

function withTotals(s: Omit<MutationScore, 'valid' | 'detected' | 'pct'>): MutationScore {
  const valid = s.killed + s.timeout + s.survived + s.noCoverage;
  const detected = s.killed + s.timeout;
  return { ...s, valid, detected, pct: valid === 0 ? 100 : (detected / valid) * 100 };
}

/** The sum of file scores. */
function sumScores(scores: readonly MutationScore[]): MutationScore {
  const add = (k: 'killed' | 'timeout' | 'survived' | 'noCoverage' | 'equivalent' | 'errors' | 'ignored') => scores.reduce((sum, s) => sum + s[k], 0);
  return withTotals({
    killed: add('killed'), timeout: add('timeout'), survived: add('survived'), noCoverage: add('noCoverage'),
    equivalent: add('equivalent'), errors: add('errors'), ignored: add('ignored'),
  });
}

/** An entry of the equivalent-mutants list (StrykerJS report positions: 1-based line and column). */
export interface EquivalentMutant {
  file: string;
  mutator: string;
  line: number;
  column: number;
  replacement: string;
  reason: string;
}

const equivalentKey = (file: string, mutator: string, line: number, column: number, replacement: string) => JSON.stringify([file, mutator, `${line}:${column}`, replacement]);

/** The config's equivalent-mutants list ([] when none); a malformed list is refused with the file and entry. */
export function loadEquivalents(config: ResolvedConfig): EquivalentMutant[] {
  const file = config.equivalentMutants;
  if (!file || !fs.existsSync(file)) return [];
  let list: unknown;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MutationInputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(list)) throw new MutationInputError(`${file}: expected a JSON array of { file, mutator, line, column, replacement, reason }`);
  list.forEach((e: Partial<EquivalentMutant>, i) => {
    if (typeof e?.file !== 'string' || typeof e.mutator !== 'string' || !Number.isInteger(e.line) || !Number.isInteger(e.column) || typeof e.replacement !== 'string' || !e.reason?.trim()) {
      throw new MutationInputError(`${file}: entry ${i} needs file, mutator, line, column, replacement and a one-line reason; got ${JSON.stringify(e)}`);
    }
  });
  return list as EquivalentMutant[];
}

/** Mutants still to kill for `target`%. */
export function mutantsNeeded(score: MutationScore, target: number | undefined): number {
  if (target === undefined) return 0;
  return Math.max(0, Math.ceil((target * score.valid) / 100 - 1e-9) - score.detected);
}

interface TestIndex {
  byId: Map<string, { name: string; file: string }>;
  /** test file (absolute) → the modules it imports (absolute, without extension) */
  imports: Map<string, Set<string>>;
}

function indexTests(report: MutationReport, root: string): TestIndex {
  const byId = new Map<string, { name: string; file: string }>();
  const imports = new Map<string, Set<string>>();
  for (const [rel, tf] of Object.entries(report.testFiles ?? {})) {
    const file = path.resolve(root, rel);
    for (const t of tf.tests) byId.set(t.id, { name: t.name, file });
    const set = new Set<string>();
    for (const m of (tf.source ?? '').matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.[^'"]+)['"]/g)) {
      set.add(path.resolve(path.dirname(file), m[1]).replace(/\.(ts|js|tsx|jsx|mts|cts)$/, ''));
    }
    imports.set(file, set);
  }
  return { byId, imports };
}

/** The test ids that ran a mutant: `coveredBy`, or for a static mutant the tests of the importing files. */
function ranByIds(m: SchemaMutant, file: string, tests: TestIndex): string[] {
  if (m.coveredBy?.length) return m.coveredBy;
  if (!m.static) return [];
  const mod = file.replace(/\.(ts|js|tsx|jsx|mts|cts)$/, '');
  return [...tests.byId].filter(([, t]) => tests.imports.get(t.file)?.has(mod)).map(([id]) => id);
}

function mutantGap(m: SchemaMutant, file: string, parsed: ParsedSource, tests: TestIndex): MutantGap & { group: string; testFiles: string[] } {
  const start = parsed.offsetOf({ line: m.location.start.line, column: m.location.start.column - 1 });
  const end = parsed.offsetOf({ line: m.location.end.line, column: m.location.end.column - 1 });
  const original = parsed.text.slice(start, end);
  const replacement = m.replacement ?? m.mutatorName;
  const fn = parsed.groupAt(start);
  const value = valuePathAt(parsed.sf, start);
  // Outside functions, a module-level value is its own group (`RATING_BOOST`), like a function.
  const group = fn ? fn.groupName : value ? /^[\w$]+(?:\.[\w$]+)?/.exec(value)![0] : TOP_LEVEL;
  const subject = value ?? group;
  const ids = ranByIds(m, file, tests);
  const ranBy = ids.map((id) => tests.byId.get(id)?.name ?? id);
  const kind = assertKind(m.mutatorName, original, replacement);
  const status = m.status as 'Survived' | 'NoCoverage';
  return {
    id: m.id, status, mutatorName: m.mutatorName,
    range: { start: parsed.positionOf(start), end: parsed.positionOf(end) },
    original, replacement, subject, static: !!m.static, ranBy,
    testsRan: status === 'NoCoverage' ? 0 : m.testsCompleted ?? ranBy.length,
    sentence: mutantSentence(status, original, replacement, subject),
    assert: kind, advice: ASSERT_ADVICE[kind], diff: mutantDiff(parsed.text, start, end, replacement),
    group, testFiles: ids.map((id) => tests.byId.get(id)?.file).filter((f): f is string => !!f),
  };
}

function mostCommon(items: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function testFileFor(file: string, fromMutants: string[], tests: TestIndex, config: ResolvedConfig): string {
  const hit = mostCommon(fromMutants);
  if (hit) return hit;
  const mod = file.replace(/\.(ts|js|tsx|jsx|mts|cts)$/, '');
  const importer = [...tests.imports].find(([, set]) => set.has(mod))?.[0];
  if (importer) return importer;
  return path.resolve(config.root, globBase(config.testGlobs[0] ?? 'test/x'), `${path.basename(mod)}.test.ts`);
}

function gapHint(name: string, relative: string, mutants: MutantGap[], testFile: string, config: ResolvedConfig): MutationGap['hint'] {
  const first = mutants[0];
  const kinds = [...new Set(mutants.map((m) => m.assert))];
  const more = mutants.length > 1 ? ` (+${mutants.length - 1} more mutant${mutants.length === 2 ? '' : 's'})` : '';
  const summary = `\`${name}\`: ${first.sentence}${more}`;
  const ranBy = [...new Set(mutants.flatMap((m) => m.ranBy))];
  const title = `${first.subject} — ${ASSERT_TITLE[first.assert as AssertKind]}`;
  const outline = [
    ranBy.length ? `Arrange: as in ${JSON.stringify(ranBy[0])} (it runs this code but cannot tell the mutant apart)` : `Arrange: reach ${name} (no test runs it yet)`,
    `Act: exercise \`${first.subject}\` (line ${first.range.start.line})`,
    ...kinds.map((k) => `Assert: ${ASSERT_ADVICE[k as AssertKind]}`),
    `Check: the test fails when \`${first.original.replace(/\s+/g, ' ').slice(0, 50)}\` becomes \`${first.replacement.replace(/\s+/g, ' ').slice(0, 50)}\``,
  ];
  const rel = (f: string) => path.relative(config.root, f).split(path.sep).join('/');
  const why = labelFor(name, relative, undefined, config.hints).why;
  const text = [
    `${name} — ${relative}:${[...new Set(mutants.map((m) => m.range.start.line))].join(', ')}`,
    ...(why ? [`  Why:   ${why}`] : []),
    ...mutants.map((m) => `  ${m.status === 'NoCoverage' ? 'Uncovered' : 'Survived'}: line ${m.range.start.line}: ${m.sentence} [${m.mutatorName}]`),
    ranBy.length ? `  Passed anyway: ${ranBy.slice(0, 3).join(' | ')}${ranBy.length > 3 ? ` (+${ranBy.length - 3} more)` : ''}` : '  Passed anyway: no test runs this code',
    ...kinds.map((k) => `  Assert: ${ASSERT_ADVICE[k as AssertKind]}`),
    `  Write: ${rel(testFile)} — it(${JSON.stringify(title)})`,
  ].join('\n');
  return { summary, ...(why ? { why } : {}), assert: kinds.map((k) => ASSERT_ADVICE[k as AssertKind]), suggestedTest: { file: testFile, title, outline }, text };
}

function fileGaps(file: string, relative: string, data: SchemaFile, tests: TestIndex, config: ResolvedConfig, isEquivalent: (m: SchemaMutant) => boolean): MutationGap[] {
  const open = data.mutants.filter((m) => (m.status === 'Survived' && !isEquivalent(m)) || m.status === 'NoCoverage');
  if (!open.length) return [];
  const parsed = parseSource(file, data.source);
  const groups = new Map<string, Array<ReturnType<typeof mutantGap>>>();
  for (const m of open) {
    const g = mutantGap(m, file, parsed, tests);
    groups.set(g.group, [...(groups.get(g.group) ?? []), g]);
  }
  const named = new Map(parsed.functions.filter((f) => f.named).map((f) => [f.name, f]));
  const gaps: MutationGap[] = [];
  for (const [name, list] of groups) {
    list.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
    const mutants: MutantGap[] = list.map(({ group: _g, testFiles: _t, ...m }) => m);
    const fn = named.get(name);
    const functionRange = fn?.range ?? { start: mutants[0].range.start, end: mutants[mutants.length - 1].range.end };
    const testFile = testFileFor(file, list.flatMap((m) => m.testFiles), tests, config);
    gaps.push({ id: `${file}#mutation#${name}`, file, qualifiedName: name, functionRange, mutants, gain: mutants.length, hint: gapHint(name, relative, mutants, testFile, config) });
  }
  return gaps.sort((a, b) => b.gain - a.gain || a.functionRange.start.line - b.functionRange.start.line);
}

/** Hold a StrykerJS report against the config's mutation targets and explain every surviving mutant. */
export function analyzeMutation(report: MutationReport, config: ResolvedConfig): MutationAnalysis {
  const started = performance.now();
  const tests = indexTests(report, config.root);
  const equivalents = loadEquivalents(config);
  const listed = new Map(equivalents.map((e) => [equivalentKey(e.file, e.mutator, e.line, e.column, e.replacement), e]));
  const used = new Set<string>();
  const present = new Map<string, string>(); // key → status, every mutant of the run
  const files: MutationFileReport[] = [];
  for (const key of Object.keys(report.files).sort()) {
    const data = report.files[key];
    const file = path.resolve(config.root, key);
    const relative = path.relative(config.root, file).split(path.sep).join('/');
    for (const m of data.mutants) present.set(equivalentKey(relative, m.mutatorName, m.location.start.line, m.location.start.column, m.replacement ?? ''), m.status);
    const isEquivalent = (m: SchemaMutant) => {
      const k = equivalentKey(relative, m.mutatorName, m.location.start.line, m.location.start.column, m.replacement ?? '');
      if (!listed.has(k)) return false;
      used.add(k);
      return true;
    };
    const score = scoreOf(data.mutants, isEquivalent);
    const target = mutationTargetFor(relative, config);
    const meetsTarget = target === undefined || score.pct >= target - 1e-9;
    files.push({
      file, relative, score, ...(target !== undefined ? { target } : {}), meetsTarget,
      needed: mutantsNeeded(score, target), gaps: fileGaps(file, relative, data, tests, config, isEquivalent),
    });
  }
  const targets = files.map((f) => f.target).filter((t): t is number => t !== undefined);
  const mutated = new Set(files.map((f) => f.relative));
  const keyOf = (e: (typeof equivalents)[number]) => equivalentKey(e.file, e.mutator, e.line, e.column, e.replacement);
  const name = (e: (typeof equivalents)[number]) => `${e.file} ${e.mutator} ${e.line}:${e.column} → ${JSON.stringify(e.replacement)}`;
  const unused = equivalents.filter((e) => mutated.has(e.file) && !used.has(keyOf(e)));
  const staleEquivalents = unused.filter((e) => !present.has(keyOf(e)))
    .map((e) => `${name(e)} matches no mutant of this run (the code moved or changed: update the entry's line and column, or remove it)`);
  const killedEquivalents = unused.filter((e) => present.has(keyOf(e)))
    .map((e) => `${name(e)} was ${present.get(keyOf(e))} in this run (counted so)`);
  const total = sumScores(files.map((f) => f.score));
  return {
    root: config.root,
    files,
    totals: total,
    staleEquivalents,
    killedEquivalents,
    ...(targets.length ? { overallTarget: Math.max(...targets) } : {}),
    allTargetsMet: files.every((f) => f.meetsTarget) && staleEquivalents.length === 0,
    durationMs: performance.now() - started,
  };
}
