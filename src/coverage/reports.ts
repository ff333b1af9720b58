/**
 * Reports: lcov.info, coverage-final.json, coverage-summary.json and the HTML report through
 * istanbul-lib-report / istanbul-reports, plus `gap-closure-plan.md` — a plan generated from the
 * measured gaps (never a template with fixed numbers).
 *
 * The folder is written whole or not at all, under a lock (reportFolder.ts); a run that did not
 * complete (cancelled, stopped by the watchdog, crashed) writes nothing, so it can never leave a
 * "every file meets its target" report behind. Workspace file names reach the HTML only through
 * html-escaper (the escaping istanbul-reports uses for the rest of the page; its per-file
 * breadcrumb heading is the one place it does not escape, see {@link escapeBreadcrumbs}) and the
 * plan's Verify command only as single-quoted shell words.
 */
import * as fs from 'fs';
import * as path from 'path';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import type { Analysis, FileReport, Gap, ResolvedConfig, RunResult, Thresholds } from './model';
import { projectHasCli } from './loaders';
import { savedStrengthSection, spliceSection } from '../mutation/plan';
import { writeFolder } from './reportFolder';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { escape: escapeHtml } = require('html-escaper') as { escape(text: string): string };

const yamlString = (s: string) => JSON.stringify(s);

function targetWords(t: Thresholds): string {
  return (['lines', 'branches', 'functions', 'statements'] as const)
    .filter((m) => t[m] !== undefined)
    .map((m) => `${m} ≥ ${t[m]}%`)
    .join(', ');
}

/** One POSIX shell word that reaches the program exactly as `s`, whatever it holds. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A markdown code span holding `text` literally (its fence is longer than any backtick run in it). */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Reads `governance-coverage run --json` on stdin, exits 0 when the file named by argv[1] meets its target. */
const VERIFY_SCRIPT = 'const f=process.argv[1];const r=JSON.parse(require("fs").readFileSync(0,"utf8")).files.find(x=>x.file===f);process.exit(r&&r.meetsTarget?0:1)';

/** The command that verifies one file's target; file names travel as quoted arguments, never as code. */
export function verifyCommand(config: ResolvedConfig, f: FileReport): string {
  const cfg = config.embedded || config.source.includes('#') ? '' : ` --config ${shellQuote(path.relative(config.root, config.source))}`;
  return `npx governance-coverage run${cfg} --json | node -e ${shellQuote(VERIFY_SCRIPT)} ${shellQuote(f.relative)}`;
}

/**
 * How the reader verifies one file's target: the CLI when the project has it (loaders.ts
 * `projectHasCli`), else the editor command (the reader has the extension only).
 */
function verifyLine(config: ResolvedConfig, f: FileReport, targets: string): string {
  if (projectHasCli(config.root)) return codeSpan(verifyCommand(config, f));
  return `in VS Code, run **Governance: Run governance tests with coverage**; the hover on ${f.relative} and the status bar show ${targets} met`;
}

/** Gaps left after the tasks (and every gap of files that meet their target), most valuable first. */
function beyondTarget(analysis: Analysis, chosen: Set<Gap>, rel: (p: string) => string): string[] {
  const rest = analysis.files.flatMap((f) => f.gaps.filter((g) => !chosen.has(g)).map((g) => ({ f, g })));
  if (!rest.length) return [];
  rest.sort((a, b) => b.g.gain.lines + b.g.gain.branches - (a.g.gain.lines + a.g.gain.branches) || a.f.relative.localeCompare(b.f.relative));
  const out = ['## Beyond target', '', 'Not needed for the targets, still untested (most lines and branches first):', ''];
  for (const { f, g } of rest) {
    out.push(`- ${f.relative} \`${g.qualifiedName}\` (+${g.gain.lines} lines, +${g.gain.branches} branches): ${g.hint.summary}`);
    out.push(`  - Write in \`${rel(g.hint.suggestedTest.file)}\`: it(${JSON.stringify(g.hint.suggestedTest.title)})`);
  }
  out.push('');
  return out;
}

/** The gap-closure plan (markdown with YAML front matter) for the files below target. */
export function renderPlan(analysis: Analysis, config: ResolvedConfig): string {
  const rel = (p: string) => path.relative(config.root, p).split(path.sep).join('/');
  const below = analysis.files.filter((f) => !f.meetsTarget);
  // Artifacts: test files to write, with the minimum number of tests (one per gap to close).
  const artifacts = new Map<string, { tests: number; covers: Set<string> }>();
  const plans = below.map((f) => {
    // Gaps in greedy order until the needed lines and branches are reached.
    let lines = f.needed.lines;
    let branches = f.needed.branches;
    let fns = f.needed.functions;
    const chosen: Gap[] = [];
    for (const g of f.gaps) {
      if (lines <= 0 && branches <= 0 && fns <= 0 && f.needed.statements <= 0) break;
      chosen.push(g);
      lines -= g.gain.lines;
      branches -= g.gain.branches;
      if (!g.functionCalled) fns--;
      if (lines <= 0 && branches <= 0 && fns <= 0) break;
    }
    for (const g of chosen) {
      const a = artifacts.get(g.hint.suggestedTest.file) ?? { tests: 0, covers: new Set<string>() };
      a.tests++;
      a.covers.add(f.relative);
      artifacts.set(g.hint.suggestedTest.file, a);
    }
    return { f, chosen };
  });
  const out: string[] = ['---'];
  out.push(`generated: ${yamlString(new Date().toISOString())}`);
  out.push(`config: ${yamlString(config.source)}`);
  out.push('must_haves:');
  out.push('  truths:');
  for (const f of analysis.files.filter((x) => x.target)) {
    const t = f.target!;
    out.push(`    - ${yamlString(`${f.relative} meets ${targetWords(t)} (now lines ${f.figures.lines.pct.toFixed(1)}%, branches ${f.figures.branches.pct.toFixed(1)}%, functions ${f.figures.functions.pct.toFixed(1)}%, statements ${f.figures.statements.pct.toFixed(1)}%)`)}`);
  }
  out.push('  artifacts:');
  if (!artifacts.size) out.push('    []');
  for (const [file, a] of artifacts) {
    out.push(`    - path: ${yamlString(rel(file))}`);
    out.push(`      exists: ${fs.existsSync(file)}`);
    out.push(`      min_tests: ${a.tests}`);
    out.push(`      covers: [${[...a.covers].map(yamlString).join(', ')}]`);
  }
  out.push('---', '', '# Gap-closure plan', '');
  const chosenGaps = new Set(plans.flatMap((p) => p.chosen));
  if (!below.length) {
    out.push('Every file meets its target. Nothing to close.');
    const beyond = beyondTarget(analysis, chosenGaps, rel);
    return out.join('\n') + '\n' + (beyond.length ? ['', ...beyond].join('\n') : '');
  }
  out.push(`${below.length} file${below.length === 1 ? '' : 's'} below target. Tasks are ordered by the greedy plan: each closes the gaps that reach the target fastest.`, '');
  plans.forEach(({ f, chosen }, i) => {
    const n = f.needed;
    const still = [n.lines && `${n.lines} line${n.lines === 1 ? '' : 's'}`, n.branches && `${n.branches} branch side${n.branches === 1 ? '' : 's'}`,
      n.functions && `${n.functions} function${n.functions === 1 ? '' : 's'}`, n.statements && `${n.statements} statement${n.statements === 1 ? '' : 's'}`].filter(Boolean).join(', ');
    out.push(`## Task ${i + 1}: ${f.relative}`, '');
    out.push(`- **Files:** ${[f.relative, ...new Set(chosen.map((g) => rel(g.hint.suggestedTest.file)))].join(', ')}`);
    out.push(`- **Now:** lines ${f.figures.lines.pct.toFixed(1)}% (${f.figures.lines.covered}/${f.figures.lines.total}), branches ${f.figures.branches.pct.toFixed(1)}% (${f.figures.branches.covered}/${f.figures.branches.total}), functions ${f.figures.functions.pct.toFixed(1)}% (${f.figures.functions.covered}/${f.figures.functions.total})`);
    out.push(`- **Target:** ${targetWords(f.target ?? {})}; still needed: ${still || 'see failing metrics'} (${f.failing.join(', ')})`);
    out.push('- **Action:**');
    for (const g of chosen) {
      out.push(`  - \`${g.qualifiedName}\` (+${g.gain.lines} lines, +${g.gain.branches} branches): ${g.hint.summary}`);
      out.push(`    - Why: ${g.hint.why}`);
      out.push(`    - Write in \`${rel(g.hint.suggestedTest.file)}\`: it(${JSON.stringify(g.hint.suggestedTest.title)})`);
      for (const o of g.hint.suggestedTest.outline) out.push(`      - ${o}`);
    }
    out.push(`- **Verify:** ${verifyLine(config, f, targetWords(f.target ?? {}))}`);
    out.push(`- **Done when:** ${f.relative} reports ${targetWords(f.target ?? {})} and every test passes.`, '');
  });
  out.push(...beyondTarget(analysis, chosenGaps, rel));
  return out.join('\n');
}

/** Did the run complete? Only then are its figures worth a report. */
export function runComplete(result: RunResult): boolean {
  return !result.cancelled && !result.timedOut && !result.error;
}

/** istanbul-reports' HTML breadcrumb, with the names and links escaped (it writes them raw). */
interface HtmlNode {
  getParent(): HtmlNode | null;
  getRelativeName(): string;
}
function escapeBreadcrumbs(report: { linkMapper: { relativePath(a: HtmlNode, b: HtmlNode): string }; getBreadcrumbHtml?: (node: HtmlNode) => string }): void {
  report.getBreadcrumbHtml = (node) => {
    const links: string[] = [];
    for (let parent = node.getParent(); parent; parent = parent.getParent()) {
      const name = parent.getRelativeName() || 'All files';
      links.unshift(`<a href="${escapeHtml(report.linkMapper.relativePath(node, parent))}">${escapeHtml(name)}</a>`);
    }
    return links.length ? `${links.join(' / ')} ${escapeHtml(node.getRelativeName())}` : 'All files';
  };
}

/** Write the five reports into `dir` (an existing, empty folder). */
async function writeInto(dir: string, result: RunResult, analysis: Analysis, config: ResolvedConfig): Promise<void> {
  const map = libCoverage.createCoverageMap({});
  const wanted = new Set(analysis.files.map((f) => f.file));
  for (const [file, data] of Object.entries(result.coverage)) if (wanted.has(file)) map.addFileCoverage(data);
  const context = libReport.createContext({ dir, coverageMap: map, defaultSummarizer: 'nested' });
  // lcov.info names files relative to the project root (istanbul's default is the process's working
  // directory, which differs from the root when the CLI runs with `--root` or the editor runs it).
  for (const [name, opts] of [['lcovonly', { file: 'lcov.info', projectRoot: config.root }], ['json', { file: 'coverage-final.json' }], ['json-summary', { file: 'coverage-summary.json' }], ['html', {}]] as const) {
    const report = reports.create(name as 'json', opts as object) as unknown as Parameters<typeof escapeBreadcrumbs>[0] & { execute(c: unknown): void };
    if (name === 'html') escapeBreadcrumbs(report);
    report.execute(context);
  }
  // The mutation section saved beside the reports (reportDir/mutation, kept by the swap) goes into the plan.
  const strength = savedStrengthSection(config);
  await fs.promises.writeFile(path.join(dir, 'gap-closure-plan.md'), strength ? spliceSection(renderPlan(analysis, config), strength) : renderPlan(analysis, config));
}

/**
 * Write the five reports into `<root>/<reportDir>`, whole (see reportFolder.ts); returns the
 * paths written — none for a run that did not complete (the previous reports are kept).
 * Throws a `ReportWriteError` naming the folder and the cause when they cannot be written.
 */
export async function writeReports(result: RunResult, analysis: Analysis, config: ResolvedConfig): Promise<string[]> {
  if (!runComplete(result)) return [];
  const dir = path.resolve(config.root, config.reportDir);
  await writeFolder(dir, (tmp) => writeInto(tmp, result, analysis, config));
  return ['lcov.info', 'coverage-final.json', 'coverage-summary.json', 'index.html', 'gap-closure-plan.md'].map((f) => path.join(dir, f));
}
