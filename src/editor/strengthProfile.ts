/**
 * Test strength from the Testing API (issue 12): a Run profile "Check test strength (mutation)",
 * never the default, offered by the Test Explorer's "Execute Using Profile…". It runs the same
 * mutation check as "Governance: Check test strength" (MutationFeature: progress, cancel, status
 * bar, survivor decorations, hovers and Information diagnostics) and reports on the selected tests:
 * - what is mutated: the source files the selected tests executed in the last coverage run with
 *   per-test data; without such data, every file with a mutation target (the command's default);
 * - each selected test is *failed* when it ran a mutant that survived (it let the mutant live),
 *   one message per survivor at the mutated code, and *passed* otherwise.
 * Cancelling the test run cancels the mutation run.
 */
import * as vscode from 'vscode';
import type { TestCoverage } from '../coverage/model';
import type { MutantGap, MutationAnalysis } from '../mutation/model';
import type { CheckStrengthArgs } from './mutationFeature';
import { filesRunBy, survivorsByTest, type MutationStatusInfo } from './mutationView';

export const STRENGTH_PROFILE_LABEL = 'Check test strength (mutation)';

const SEP = '\u001f';

/** The mutation check as MutationFeature offers it: the check, its latest analysis and how the last run ended. */
export interface StrengthCheck {
  check(args?: CheckStrengthArgs): Promise<MutationStatusInfo | undefined>;
  readonly analysis: MutationAnalysis | undefined;
  readonly last: { cancelled: boolean; error?: string; files: string[] } | undefined;
}

export interface StrengthProfileDeps {
  /** Per-test coverage of the last coverage run, by test id, if any. */
  perTest(): Record<string, TestCoverage> | undefined;
  log: vscode.LogOutputChannel;
  notifyError(message: string): void;
}

/** The leaf test items of a request (everything under the controller when it names none), minus its exclusions. */
export function selectedTests(controller: vscode.TestController, request: vscode.TestRunRequest): vscode.TestItem[] {
  const excluded = new Set((request.exclude ?? []).map((i) => i.id));
  const out: vscode.TestItem[] = [];
  const walk = (item: vscode.TestItem) => {
    if (excluded.has(item.id)) return;
    if (item.children.size === 0) {
      if (item.id.includes(SEP)) out.push(item);
      return;
    }
    item.children.forEach(walk);
  };
  if (request.include) request.include.forEach(walk);
  else controller.items.forEach(walk);
  return out;
}

/** mocha's full title of a test item (its titles after the file, space-joined), as StrykerJS names tests. */
export function fullTitle(item: vscode.TestItem): string {
  return item.id.split(SEP).slice(1).join(' ');
}

function survivorMessage(file: string, m: MutantGap): vscode.TestMessage {
  const message = new vscode.TestMessage(`Surviving mutant: ${m.sentence}\n${m.diff}\n${m.advice}`);
  const range = new vscode.Range(m.range.start.line - 1, m.range.start.column, m.range.end.line - 1, m.range.end.column);
  message.location = new vscode.Location(vscode.Uri.file(file), range);
  return message;
}

/** Creates the profile on `controller`. */
export function createStrengthProfile(controller: vscode.TestController, feature: StrengthCheck, deps: StrengthProfileDeps): vscode.TestRunProfile {
  const handler = async (request: vscode.TestRunRequest, token: vscode.CancellationToken) => {
    const tests = selectedTests(controller, request);
    const files = filesRunBy(tests.map((t) => t.id), deps.perTest());
    const run = controller.createTestRun(request, STRENGTH_PROFILE_LABEL, false);
    const cancel = token.onCancellationRequested(() => void vscode.commands.executeCommand('governanceCoverage.cancelTestStrength'));
    try {
      tests.forEach((t) => run.started(t));
      const what = files ? `${files.length} file(s) the selected tests ran` : 'every file with a mutation target (no per-test coverage for the selection yet)';
      run.appendOutput(`Checking test strength: mutating ${what}\r\n`);
      deps.log.info(`test strength profile: ${tests.length} test(s), mutating ${files ? files.join(', ') : 'the mutation targets'}`);
      const status = await feature.check({ files });
      const { analysis, last } = feature;
      if (last?.error) throw new Error(last.error.split('\n')[0]);
      if (!status || !analysis || !last || last.cancelled) {
        tests.forEach((t) => run.skipped(t));
        return;
      }
      const survivors = survivorsByTest(analysis);
      for (const t of tests) {
        const lived = survivors.get(fullTitle(t)) ?? [];
        if (lived.length) run.failed(t, lived.map(({ file, mutant }) => survivorMessage(file, mutant)));
        else run.passed(t);
      }
      run.appendOutput(`${status.text}: ${status.tooltip}\r\n`);
    } catch (err) {
      tests.forEach((t) => run.errored(t, new vscode.TestMessage((err as Error).message)));
      deps.notifyError(`Checking test strength failed: ${(err as Error).message}`);
    } finally {
      cancel.dispose();
      run.end();
    }
  };
  return controller.createRunProfile(STRENGTH_PROFILE_LABEL, vscode.TestRunProfileKind.Run, handler, false);
}
