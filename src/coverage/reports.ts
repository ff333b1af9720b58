/**
 * Reports: lcov.info, coverage-final.json, coverage-summary.json and the HTML report through
 * istanbul-lib-report / istanbul-reports, plus `gap-closure-plan.md` — a plan generated from the
 * measured gaps (never a template with fixed numbers).
 */
import * as fs from 'fs';
import * as path from 'path';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import type { Analysis, FileReport, ResolvedConfig, RunResult, Thresholds } from './model';
import { savedStrengthSection, spliceSection } from '../mutation/plan';

const yamlString = (s: string) => JSON.stringify(s);

function targetWords(t: Thresholds): string {
  return (['lines', 'branches', 'functions', 'statements'] as const)
    .filter((m) => t[m] !== undefined)
    .map((m) => `${m} ≥ ${t[m]}%`)
    .join(', ');
}

/** The command that verifies one file's target. */
function verifyCommand(config: ResolvedConfig, f: FileReport): string {
  const cfg = config.embedded || config.source.includes('#') ? '' : ` --config ${path.relative(config.root, config.source)}`;
  return `npx governance-coverage run${cfg} --json | node -e "const r=JSON.parse(require('fs').readFileSync(0,'utf8')).files.find(f=>f.file==='${f.relative.replace(/'/g, "\\'")}');process.exit(r&&r.meetsTarget?0:1)"`;
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
    const chosen = [];
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
  if (!below.length) {
    out.push('Every file meets its target. Nothing to close.');
    return out.join('\n') + '\n';
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
    out.push(`- **Verify:** \`${verifyCommand(config, f)}\``);
    out.push(`- **Done when:** ${f.relative} reports ${targetWords(f.target ?? {})} and every test passes.`, '');
  });
  return out.join('\n');
}

/** Write the five reports into `<root>/<reportDir>`; returns the paths written. */
export async function writeReports(result: RunResult, analysis: Analysis, config: ResolvedConfig): Promise<string[]> {
  const dir = path.resolve(config.root, config.reportDir);
  await fs.promises.mkdir(dir, { recursive: true });
  const map = libCoverage.createCoverageMap({});
  const wanted = new Set(analysis.files.map((f) => f.file));
  for (const [file, data] of Object.entries(result.coverage)) if (wanted.has(file)) map.addFileCoverage(data);
  const context = libReport.createContext({ dir, coverageMap: map, defaultSummarizer: 'nested' });
  for (const [name, opts] of [['lcovonly', { file: 'lcov.info' }], ['json', { file: 'coverage-final.json' }], ['json-summary', { file: 'coverage-summary.json' }], ['html', {}]] as const) {
    (reports.create(name as 'json', opts as object) as unknown as { execute(c: unknown): void }).execute(context);
  }
  const plan = path.join(dir, 'gap-closure-plan.md');
  const strength = savedStrengthSection(config);
  await fs.promises.writeFile(plan, strength ? spliceSection(renderPlan(analysis, config), strength) : renderPlan(analysis, config));
  return ['lcov.info', 'coverage-final.json', 'coverage-summary.json', 'index.html'].map((f) => path.join(dir, f)).concat(plan);
}
