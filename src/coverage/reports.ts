/**
 * Reports: lcov.info, coverage-final.json, coverage-summary.json and the HTML report through
 * istanbul-lib-report / istanbul-reports, plus `gap-closure-plan.md` — a plan generated from the
 * measured gaps (never a template with fixed numbers; rendered by plan.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import libCoverage from 'istanbul-lib-coverage';
import libReport from 'istanbul-lib-report';
import reports from 'istanbul-reports';
import type { Analysis, ResolvedConfig, RunResult } from './model';
import { renderPlan } from './plan';

export { renderPlan };
import { savedStrengthSection, spliceSection } from '../mutation/plan';

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
