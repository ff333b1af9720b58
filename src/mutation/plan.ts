/**
 * The "Test strength" section of the gap-closure plan, generated from the last mutation analysis:
 * per file below its mutation target, the mutants still to kill and, in value order, the gaps to
 * close with what to assert and where. Saved as `<reportDir>/mutation/test-strength.md` and
 * spliced into `<reportDir>/gap-closure-plan.md` between markers, so a coverage run (which
 * rewrites the plan) and a mutation run (which rewrites only this section) keep each other's part.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../coverage/model';
import type { MutationAnalysis } from './model';
import { withFolderLock } from '../coverage/reportFolder';

export const STRENGTH_START = '<!-- test-strength:start -->';
export const STRENGTH_END = '<!-- test-strength:end -->';

const pct = (n: number) => `${(Math.floor(n * 10) / 10).toFixed(1)}%`;

/** The section's markdown (with its markers). */
export function renderStrengthSection(analysis: MutationAnalysis, config: ResolvedConfig): string {
  const rel = (p: string) => path.relative(config.root, p).split(path.sep).join('/');
  const out = [STRENGTH_START, '## Test strength (mutation testing)', ''];
  const t = analysis.totals;
  out.push(`Mutation score ${pct(t.pct)} (${t.detected} of ${t.valid} mutants killed; ${t.survived} survived, ${t.noCoverage} not covered) — StrykerJS report: \`${rel(path.resolve(config.root, config.reportDir, 'mutation', 'mutation.html'))}\`.`, '');
  const below = analysis.files.filter((f) => !f.meetsTarget);
  if (!below.length) out.push('Every mutated file meets its mutation target.', '');
  below.forEach((f, i) => {
    out.push(`### Strength task ${i + 1}: ${f.relative}`, '');
    out.push(`- **Now:** ${pct(f.score.pct)} (${f.score.detected}/${f.score.valid}); **target:** ${f.target}%; **still to kill:** ${f.needed} mutant${f.needed === 1 ? '' : 's'}`);
    out.push('- **Action:**');
    let left = f.needed;
    for (const g of f.gaps) {
      if (left <= 0) break;
      left -= g.gain;
      out.push(`  - \`${g.qualifiedName}\` (+${g.gain} mutant${g.gain === 1 ? '' : 's'}): ${g.hint.summary}`);
      for (const m of g.mutants.slice(0, 5)) out.push(`    - line ${m.range.start.line}: ${m.sentence}; assert ${m.advice}${m.ranBy.length ? `; passed anyway: ${m.ranBy.slice(0, 2).map((x) => JSON.stringify(x)).join(', ')}` : ''}`);
      if (g.mutants.length > 5) out.push(`    - … ${g.mutants.length - 5} more in the HTML report`);
      out.push(`    - Write in \`${rel(g.hint.suggestedTest.file)}\`: it(${JSON.stringify(g.hint.suggestedTest.title)})`);
    }
    out.push(`- **Verify:** \`npx governance-coverage mutate --files ${f.relative} --incremental\``, '');
  });
  out.push(STRENGTH_END);
  return out.join('\n');
}

/** Replaces (or appends) the section in a plan's text. */
export function spliceSection(plan: string, section: string): string {
  const a = plan.indexOf(STRENGTH_START);
  const b = plan.indexOf(STRENGTH_END);
  if (a >= 0 && b > a) return plan.slice(0, a) + section + plan.slice(b + STRENGTH_END.length);
  return `${plan.replace(/\n*$/, '\n\n')}${section}\n`;
}

/**
 * Saves the section and splices it into the gap-closure plan (created if absent), under the report
 * folder's lock (a coverage run may be replacing the folder); returns the paths.
 */
export function writeStrengthSection(analysis: MutationAnalysis, config: ResolvedConfig): Promise<string[]> {
  const dir = path.resolve(config.root, config.reportDir);
  const section = renderStrengthSection(analysis, config);
  const saved = path.join(dir, 'mutation', 'test-strength.md');
  const plan = path.join(dir, 'gap-closure-plan.md');
  const write = (file: string, text: string) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  };
  return withFolderLock(dir, () => {
    fs.mkdirSync(path.dirname(saved), { recursive: true });
    write(saved, `${section}\n`);
    const current = fs.existsSync(plan) ? fs.readFileSync(plan, 'utf8') : '# Gap-closure plan\n';
    write(plan, spliceSection(current, section));
    return [saved, plan];
  });
}

/** The saved section, for the coverage report writer to keep in a rewritten plan ('' when none). */
export function savedStrengthSection(config: ResolvedConfig): string {
  const saved = path.resolve(config.root, config.reportDir, 'mutation', 'test-strength.md');
  return fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8').trimEnd() : '';
}
