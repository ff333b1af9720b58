/**
 * The test-only view of the extension (`governanceCoverage._testState`): plain JSON of the tree,
 * results, decorations, hover text, status and analysis, plus a wait primitive so the editor tests
 * await completion signals instead of sleeping. Only `import type` from vscode.
 */
import type * as vscode from 'vscode';
import type { Analysis } from '../coverage/model';
import type { TestStateArgs } from './commands';
import type { GapDecorations } from './gapDecorations';
import type { StatusInfo } from './hints';
import type { RunService } from './runner';
import type { RootSet } from './roots';
import type { TreeSnapshot } from './testTree';

/** What the state is built from. */
export interface StateParts {
  version: string;
  trusted: boolean;
  tree: RootSet;
  runs: RunService;
  decorations: GapDecorations;
  status: StatusInfo;
  analysis?: Analysis;
  configError?: string;
  notes: string[];
  planPath?: string;
  /** The last notifications shown (kind, text, action buttons). */
  notices: Array<{ kind: string; message: string; actions: string[] }>;
}

function ids(nodes: TreeSnapshot[]): string[] {
  return nodes.flatMap((n) => [n.id, ...ids(n.children)]);
}

/** Plain JSON state; with `file` + `line` (0-based) it includes the hover text there. */
export function buildTestState(p: StateParts, args?: TestStateArgs): Record<string, unknown> {
  const config = p.tree.current;
  const tree = p.tree.snapshot();
  return {
    vscodeVersion: p.version,
    trusted: p.trusted,
    config: config
      ? { root: config.root, source: config.source, embedded: config.embedded, testGlobs: config.testGlobs, sourceGlobs: config.sourceGlobs, reportDir: config.reportDir }
      : null,
    configError: p.configError ?? null,
    roots: p.tree.roots.map((r) => ({
      root: r.root, folder: r.folder.uri.fsPath, source: r.config?.source ?? null, embedded: r.config?.embedded ?? null,
      mocha: r.config ? { version: r.config.mocha.mochaVersion, projectMocha: r.config.mocha.projectMocha, sources: r.config.mocha.sources } : null,
      configError: r.configError ?? null, item: r.tree.parent?.id ?? null,
    })),
    noSetup: p.tree.noSetup,
    notes: p.notes,
    treeReady: p.tree.ready,
    treeGeneration: p.tree.generation,
    treeReconciled: p.tree.reconciledFiles,
    tree,
    testIds: ids(tree),
    running: p.runs.running > 0,
    completedRuns: p.runs.completedRuns,
    liveFinished: p.runs.liveFinished,
    lastRun: p.runs.last ?? null,
    results: Object.fromEntries(p.runs.results),
    hintsEnabled: p.decorations.enabled,
    hintDetail: p.decorations.detail,
    decorations: p.decorations.snapshot(),
    hover: args?.file !== undefined && args.line !== undefined ? p.decorations.hoverText(args.file, args.line) ?? null : null,
    status: p.status,
    analysis: p.analysis
      ? {
          totals: p.analysis.totals,
          overallTarget: p.analysis.overallTarget ?? null,
          allTargetsMet: p.analysis.allTargetsMet,
          filesBelowTarget: p.analysis.files.filter((f) => !f.meetsTarget).map((f) => f.relative),
        }
      : null,
    planPath: p.planPath ?? null,
    notices: p.notices,
  };
}

/** Resolves once `done()` holds, re-checking on every `changed` event; rejects after `timeoutMs`. */
export function whenTrue(changed: vscode.Event<void>, done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const sub = changed(() => {
      if (!done()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}
