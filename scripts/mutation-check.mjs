#!/usr/bin/env node
/**
 * Per-file mutation score check (issue 8): reads Stryker's report (mutation-testing-report-schema
 * JSON), prints each src/governance file's score and exits 1 when a service file is below 95% or
 * any other governance file below 90% (Stryker's own `thresholds.break` is one global figure).
 *
 * Score = (Killed + Timeout) / (Killed + Timeout + Survived + NoCoverage), as Stryker computes it.
 * Survivors listed in test/governance/equivalent-mutants.json (file, mutator, line:column of the
 * mutant's start, replacement, reason) are proven equivalent and leave the denominator; an entry
 * that matches no surviving mutant is stale and fails the check, so the list cannot rot.
 *
 * Usage: node scripts/mutation-check.mjs [report.json] [equivalents.json]
 */
import { readFileSync } from 'node:fs';

const [reportFile = 'reports/mutation/mutation.json', equivalentsFile = 'test/governance/equivalent-mutants.json'] = process.argv.slice(2);
const SERVICES = ['triggerInterceptor', 'studentTrainingService', 'supervisionService', 'proposalService', 'graduationService'];
const target = (file) => (SERVICES.some((s) => file.endsWith(`src/governance/${s}.ts`)) ? 95 : 90);
const key = (file, mutator, line, column, replacement) => JSON.stringify([file, mutator, `${line}:${column}`, replacement]);

const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const equivalents = JSON.parse(readFileSync(equivalentsFile, 'utf8'));
const listed = new Map(equivalents.map((e) => [key(e.file, e.mutator, e.line, e.column, e.replacement), e]));
for (const e of equivalents) if (!e.reason?.trim()) throw new Error(`${equivalentsFile}: entry without a reason: ${JSON.stringify(e)}`);

const used = new Set();
const failures = [];
const total = { detected: 0, undetected: 0 };
const rows = [];
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  let detected = 0;
  let undetected = 0;
  let equivalent = 0;
  for (const m of mutants) {
    if (m.status === 'Killed' || m.status === 'Timeout') detected++;
    else if (m.status === 'Survived' || m.status === 'NoCoverage') {
      const k = key(file, m.mutatorName, m.location.start.line, m.location.start.column, m.replacement ?? '');
      if (m.status === 'Survived' && listed.has(k)) (equivalent++, used.add(k));
      else undetected++;
    }
  }
  total.detected += detected;
  total.undetected += undetected;
  const valid = detected + undetected;
  const score = valid ? (100 * detected) / valid : 100;
  const ok = score >= target(file);
  if (!ok) failures.push(`${file}: ${score.toFixed(2)}% < ${target(file)}%`);
  rows.push(`${ok ? ' ' : '✗'} ${score.toFixed(2).padStart(6)}%  target ${target(file)}%  killed ${String(detected).padStart(4)}  survived ${String(undetected).padStart(3)}  equivalent ${String(equivalent).padStart(2)}  ${file}`);
}
console.log('Mutation score per file (killed+timeout over valid mutants, listed equivalents discounted):');
for (const r of rows) console.log(r);
const overall = (100 * total.detected) / Math.max(1, total.detected + total.undetected);
console.log(`  ${overall.toFixed(2).padStart(6)}%  overall`);
for (const [k, e] of listed) if (!used.has(k)) failures.push(`stale equivalent-mutant entry (no such surviving mutant): ${e.file} ${e.mutator} ${e.line}:${e.column} → ${JSON.stringify(e.replacement)}`);
if (failures.length) {
  console.error(`Mutation check FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('Mutation check passed: every service file ≥ 95%, every other governance file ≥ 90%.');
