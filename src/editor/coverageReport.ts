/**
 * Native coverage: one `FileCoverage` per covered source file with statement, branch and
 * declaration details loaded on demand, plus per-test coverage where the running VS Code offers
 * it (1.93+: `FileCoverage.includesTests`, `loadDetailedCoverageForTest`), feature-detected.
 */
import * as vscode from 'vscode';
import type { FileCoverageData, RunResult } from '../coverage/model';
import { testsTouchingFile, toPlainCoverage, type PlainFileCoverage, type PlainRange } from './coverageDetails';

/** 1.93+ additions, declared locally because `@types/vscode` is pinned at 1.88. */
interface PerTestFileCoverage {
  includesTests?: vscode.TestItem[];
}
interface PerTestProfile {
  loadDetailedCoverageForTest?: (
    run: vscode.TestRun,
    fileCoverage: vscode.FileCoverage,
    fromTestItem: vscode.TestItem,
    token: vscode.CancellationToken,
  ) => Thenable<vscode.FileCoverageDetail[]>;
}

/** True when the running VS Code has the per-test coverage API (1.93+). */
export function hasPerTestCoverageApi(version: string = vscode.version): boolean {
  const [major, minor] = version.split('.').map((n) => parseInt(n, 10));
  return major > 1 || (major === 1 && minor >= 93);
}

interface Entry {
  data: FileCoverageData;
  perTest?: RunResult['perTest'];
}

function toRange(r: PlainRange): vscode.Range {
  return new vscode.Range(r.startLine, r.startColumn, r.endLine, r.endColumn);
}

/** Plain details → VS Code detail objects. */
export function toDetails(plain: PlainFileCoverage): vscode.FileCoverageDetail[] {
  const out: vscode.FileCoverageDetail[] = plain.statements.map(
    (s) =>
      new vscode.StatementCoverage(
        s.executed,
        toRange(s.range),
        s.branches.map((b) => new vscode.BranchCoverage(b.executed, b.range ? toRange(b.range) : undefined, b.label)),
      ),
  );
  for (const d of plain.declarations) out.push(new vscode.DeclarationCoverage(d.name, d.executed, toRange(d.range)));
  return out;
}

/** Remembers what each reported `FileCoverage` stands for, so details load lazily. */
/** Plain summary of loaded details (test-only command `governanceCoverage._coverageDetails`). */
export interface DetailsSummary {
  file: string;
  counts: { statements: [number, number]; branches?: [number, number]; declarations?: [number, number] };
  includesTests: string[];
  details: { statements: number; uncoveredStatementLines: number[]; branches: number; branchesNotTaken: string[]; declarations: number; uncalled: string[] };
}

function lineOf(location: vscode.Position | vscode.Range): number {
  return location instanceof vscode.Range ? location.start.line : location.line;
}

/** Summarises what VS Code receives for one file (counts, per-test list, details). */
export function summarizeDetails(fc: vscode.FileCoverage, details: vscode.FileCoverageDetail[]): DetailsSummary {
  const statements = details.filter((d): d is vscode.StatementCoverage => d instanceof vscode.StatementCoverage);
  const declarations = details.filter((d): d is vscode.DeclarationCoverage => d instanceof vscode.DeclarationCoverage);
  const branches = statements.flatMap((s) => s.branches);
  const count = (c?: vscode.TestCoverageCount): [number, number] | undefined => (c ? [c.covered, c.total] : undefined);
  return {
    file: fc.uri.fsPath,
    counts: { statements: count(fc.statementCoverage)!, branches: count(fc.branchCoverage), declarations: count(fc.declarationCoverage) },
    includesTests: ((fc as vscode.FileCoverage & PerTestFileCoverage).includesTests ?? []).map((t) => t.id),
    details: {
      statements: statements.length,
      uncoveredStatementLines: [...new Set(statements.filter((s) => !s.executed).map((s) => lineOf(s.location)))].sort((a, b) => a - b),
      branches: branches.length,
      branchesNotTaken: branches.filter((b) => !b.executed).map((b) => `${b.location ? lineOf(b.location) : '?'}:${b.label ?? ''}`),
      declarations: declarations.length,
      uncalled: declarations.filter((d) => !d.executed).map((d) => d.name),
    },
  };
}

export class CoverageReporter {
  private readonly entries = new WeakMap<vscode.FileCoverage, Entry>();
  /** The `FileCoverage` objects of the last coverage run, by file. */
  private last = new Map<string, vscode.FileCoverage>();
  private lastRun: vscode.TestRun | undefined;

  /** Installs the detail loaders on the coverage profile. */
  constructor(private readonly profile: vscode.TestRunProfile) {
    profile.loadDetailedCoverage = async (_run, fileCoverage) => {
      const entry = this.entries.get(fileCoverage);
      return entry ? toDetails(toPlainCoverage(entry.data)) : [];
    };
    if (hasPerTestCoverageApi()) {
      (profile as vscode.TestRunProfile & PerTestProfile).loadDetailedCoverageForTest = async (_run, fileCoverage, item) => {
        const entry = this.entries.get(fileCoverage);
        const only = entry?.perTest?.[item.id]?.[entry.data.path];
        return entry && only ? toDetails(toPlainCoverage(entry.data, only)) : [];
      };
    }
  }

  /**
   * Adds one `FileCoverage` per file of the result to the run; returns the plain summaries.
   * `findItem` maps test ids to items for per-test coverage.
   */
  report(
    run: vscode.TestRun,
    result: RunResult,
    findItem: (id: string) => vscode.TestItem | undefined,
  ): { files: PlainFileCoverage[]; perTestFiles: number } {
    const perTestApi = hasPerTestCoverageApi() && !!result.perTest;
    const out: PlainFileCoverage[] = [];
    this.last = new Map();
    this.lastRun = run;
    let perTestFiles = 0;
    for (const [file, data] of Object.entries(result.coverage)) {
      const plain = toPlainCoverage(data);
      const c = plain.counts;
      const fc = new vscode.FileCoverage(
        vscode.Uri.file(file),
        new vscode.TestCoverageCount(c.statements.covered, c.statements.total),
        c.branches.total > 0 ? new vscode.TestCoverageCount(c.branches.covered, c.branches.total) : undefined,
        c.declarations.total > 0 ? new vscode.TestCoverageCount(c.declarations.covered, c.declarations.total) : undefined,
      );
      if (perTestApi) {
        const items = testsTouchingFile(result.perTest, data.path)
          .map(findItem)
          .filter((i): i is vscode.TestItem => !!i);
        if (items.length) {
          (fc as vscode.FileCoverage & PerTestFileCoverage).includesTests = items;
          perTestFiles++;
        }
      }
      this.entries.set(fc, { data, perTest: result.perTest });
      this.last.set(file, fc);
      run.addCoverage(fc);
      out.push(plain);
    }
    return { files: out, perTestFiles };
  }

  /**
   * Loads details for a file of the last coverage run through the profile's own loaders (the
   * same calls VS Code makes), optionally for one test; undefined when the file has no coverage.
   */
  async loadForTest(file: string, test: vscode.TestItem | undefined, token: vscode.CancellationToken): Promise<DetailsSummary | undefined> {
    const fc = this.last.get(file);
    const run = this.lastRun;
    if (!fc || !run) return undefined;
    const forTest = (this.profile as vscode.TestRunProfile & PerTestProfile).loadDetailedCoverageForTest;
    const details = test
      ? forTest ? await forTest(run, fc, test, token) : []
      : await this.profile.loadDetailedCoverage!(run, fc, token);
    return summarizeDetails(fc, details);
  }
}
