/**
 * `gap-closure-plan.md`: YAML front matter (truths, artifacts), one task per file below target
 * with the gaps that reach the target fastest (greedy), a "Verify" step that works for the
 * reader, and a "Beyond target" section with every other gap, most valuable first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { verifyFor } from './layout';
import type { Analysis, FileReport, Gap, ResolvedConfig, Thresholds } from './model';

const yamlString = (s: string) => JSON.stringify(s);

function targetWords(t: Thresholds): string {
  return (['lines', 'branches', 'functions', 'statements'] as const)
    .filter((m) => t[m] !== undefined)
    .map((m) => `${m} ≥ ${t[m]}%`)
    .join(', ');
}

/**
 * How the reader verifies a file's target: the CLI only where the project has it as a dependency
 * (paths single-quoted), else the editor command.
 */
function verifyLine(config: ResolvedConfig, f: FileReport): string {
  const v = verifyFor(config);
  if (v.command) return `\`${v.command}\` (exits 0 once every target is met) and check that ${f.relative} reads \`ok\` in its table`;
  return `run **${v.editorCommand}** from the command palette and check that ${f.relative} no longer shows gap marks (status bar: the target is met)`;
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
    out.push(`- **Verify:** ${verifyLine(config, f)}`);
    out.push(`- **Done when:** ${f.relative} reports ${targetWords(f.target ?? {})} and every test passes.`, '');
  });
  out.push(...beyondTarget(analysis, chosenGaps, rel));
  return out.join('\n');
}

