/**
 * The Testing view as a person sees it: the result summary ("246/246  4.7s"), the tree rows
 * with their state icons, and "Run Test with Coverage" from a row's context menu.
 */
import type { Locator, Page } from 'playwright-core';
import { poll } from './procs';
import { runCommand } from './workbench';

/** One visible Test Explorer row: its label and the state its icon shows. */
export interface ExplorerRow {
  label: string;
  /** From the codicon, e.g. `passed`, `failed`, `errored`, `skipped`, `queued`, `running`, `unset`. */
  state: string;
}

/** The pass count shown above the tree, e.g. `{ passed: 246, total: 246, text: '246/246 4.7s' }`. */
export interface ExplorerSummary {
  passed: number;
  total: number;
  text: string;
}

function explorer(page: Page): Locator {
  return page.locator('.test-explorer');
}

/** Shows the Testing view (the activity bar flask) and waits for its tree. */
export async function showTestExplorer(page: Page): Promise<void> {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  await explorer(page).waitFor({ state: 'visible', timeout: 15_000 });
}

/** The visible rows of the Test Explorer tree. */
export async function explorerRows(page: Page): Promise<ExplorerRow[]> {
  return explorer(page).locator('.monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => {
      // The label's own text, without its description (the duration span).
      const labelEl = row.querySelector('.label');
      const own = labelEl ? [...labelEl.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('') : '';
      const label = own.trim() || (row.getAttribute('aria-label') ?? '');
      const icon = row.querySelector('.computed-state')?.className ?? '';
      const m = /codicon-testing-([a-z]+)-icon/.exec(icon) ?? /codicon-(loading)/.exec(icon);
      return { label, state: m ? (m[1] === 'loading' ? 'running' : m[1]) : 'unset' };
    }),
  );
}

/** The result summary line, or undefined while none is shown. */
export async function explorerSummary(page: Page): Promise<ExplorerSummary | undefined> {
  const el = explorer(page).locator('.result-summary');
  if ((await el.count()) === 0 || !(await el.first().isVisible())) return undefined;
  const text = (await el.first().innerText()).replace(/\s+/g, ' ').trim();
  const m = /(\d+)\s*\/\s*(\d+)/.exec(text);
  return m ? { passed: Number(m[1]), total: Number(m[2]), text } : undefined;
}

/**
 * Waits until a run has finished as the view shows it: a summary different from `before`
 * (when given), no "Cancel Test Run" action, no row queued or running, and the summary
 * unchanged over two looks a second apart (results stream in while a run goes on).
 */
export async function waitForRunResults(page: Page, before: string | undefined, timeoutMs: number): Promise<ExplorerSummary> {
  let last: string | undefined;
  return poll(`Test Explorer results${before ? ` other than "${before}"` : ''}`, timeoutMs, async () => {
    const summary = await explorerSummary(page);
    const idle = summary && summary.total > 0 && summary.text !== before && !(await runInProgress(page));
    const stable = idle && summary.text === last;
    last = idle ? summary.text : undefined;
    return stable ? summary : undefined;
  }, 1_000);
}

/** True while the workbench shows a test run going on (cancel action, spinning or queued rows). */
export async function runInProgress(page: Page): Promise<boolean> {
  const cancel = await page.locator('.codicon-testing-cancel-icon:visible, .action-label[aria-label^="Cancel Test Run"]:visible').count();
  if (cancel > 0) return true;
  const spinning = await explorer(page).locator('.monaco-list-row .codicon-loading, .monaco-list-row .codicon-modifier-spin').count();
  if (spinning > 0) return true;
  return (await explorerRows(page)).some((r) => r.state === 'running' || r.state === 'queued');
}

/** Right-clicks the row labelled `label` and picks `action` (e.g. "Run Test with Coverage"). */
export async function rowContextAction(page: Page, label: string, action: RegExp): Promise<void> {
  // A row's aria-label is its label, then " (Passed), in 220ms" once it has a result.
  const row = explorer(page).locator(`.monaco-list-row[aria-label="${label}"], .monaco-list-row[aria-label^="${label} ("]`).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .monaco-menu .action-label').filter({ hasText: action }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  // VS Code's menu ignores a synthetic click's mouseup in headless Chromium; hovering focuses
  // the entry and Enter triggers it, as with the keyboard.
  await item.hover();
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 10_000 });
}
