/**
 * What a person does in the VS Code workbench, expressed on its DOM: command palette, quick
 * open, go to line, hovering a line, reading widgets. Every wait is bounded.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { poll } from './procs';

/** Opens the workbench at `url` and waits until the explorer shows `expectFile` at the root. */
export async function openWorkbench(page: Page, url: string, expectFile: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await explorerRow(page, expectFile).waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The explorer tree row for a root-level entry named `name`. */
export function explorerRow(page: Page, name: string): Locator {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
}

/** A regexp matching exactly `text` (whole string, surrounding whitespace allowed). */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/** The visible quick input (command palette, quick open, go to line). */
function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

async function openQuickInput(page: Page, key: string, prefix: string): Promise<void> {
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  await page.keyboard.press('Escape');
  await page.keyboard.press(key);
  await quickInput(page).waitFor({ state: 'visible', timeout: 10_000 });
  const input = quickInput(page).locator('input.input');
  await input.fill(prefix);
}

/** Labels of the command palette rows shown for `filter` (first screenful). */
export async function paletteCommands(page: Page, filter: string): Promise<string[]> {
  await openQuickInput(page, 'F1', `>${filter}`);
  const rows = quickInput(page).locator('.quick-input-list .monaco-list-row .label-name');
  await poll(`palette rows for "${filter}"`, 10_000, async () => ((await rows.count()) > 0 ? true : undefined)).catch(() => undefined);
  const labels = await rows.allInnerTexts();
  await page.keyboard.press('Escape');
  return labels.map((l) => l.trim());
}

/** Runs a command by its palette title (exact match), as a person would. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await openQuickInput(page, 'F1', `>${title}`);
  const row = quickInput(page)
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactly(title) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Opens a workspace file by its relative path via Quick Open and waits for its active tab. */
export async function openFile(page: Page, relPath: string): Promise<void> {
  await openQuickInput(page, 'Control+P', relPath);
  const base = path.basename(relPath);
  const row = quickInput(page)
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactly(base) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await page.locator(`.tabs-container .tab.active[data-resource-name="${base}"]`).waitFor({ timeout: 15_000 });
  await activeEditor(page).locator('.view-lines .view-line').first().waitFor({ timeout: 15_000 });
}

/** The active text editor's Monaco root. */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Moves the cursor to `line` (1-based) with Go to Line, revealing it. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await openQuickInput(page, 'Control+G', `:${line}`);
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
  await lineNumberBox(page, line);
}

/** The on-screen box of line `line`'s number in the active editor's gutter. */
async function lineNumberBox(page: Page, line: number): Promise<{ x: number; y: number; width: number; height: number }> {
  const num = activeEditor(page).locator('.margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
  await num.waitFor({ state: 'visible', timeout: 10_000 });
  const box = await num.boundingBox();
  if (!box) throw new Error(`line ${line} is not on screen`);
  return box;
}

/**
 * 1-based numbers of visible lines that carry a glyph-margin (gutter) decoration, found by
 * matching each gutter mark's vertical position to the line numbers on screen.
 */
export async function gutterDecoratedLines(page: Page, markSelector = '.cgmr'): Promise<number[]> {
  return activeEditor(page).evaluate((root, sel) => {
    const nums = [...root.querySelectorAll('.margin-view-overlays .line-numbers')].map((el) => {
      const r = el.getBoundingClientRect();
      return { line: Number(el.textContent?.trim()), mid: r.top + r.height / 2 };
    });
    const lines = new Set<number>();
    for (const mark of root.querySelectorAll(sel)) {
      const r = mark.getBoundingClientRect();
      if (r.height === 0) continue;
      const hit = nums.find((n) => n.mid >= r.top && n.mid <= r.bottom);
      if (hit && Number.isFinite(hit.line)) lines.add(hit.line);
    }
    return [...lines].sort((a, b) => a - b);
  }, markSelector);
}

/** Hovers the first text of line `line` and returns the hover widget's visible text. */
export async function hoverLineText(page: Page, line: number, timeoutMs = 15_000): Promise<string> {
  const box = await lineNumberBox(page, line);
  const y = box.y + box.height / 2;
  const target = await activeEditor(page).evaluate((root, yy) => {
    for (const span of root.querySelectorAll('.view-lines .view-line span span')) {
      const r = span.getBoundingClientRect();
      if (yy >= r.top && yy <= r.bottom && (span.textContent ?? '').trim() !== '') {
        return { x: r.left + Math.min(r.width / 2, 12), y: yy };
      }
    }
    return undefined;
  }, y);
  if (!target) throw new Error(`line ${line} has no visible text to hover`);
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
  return poll(`hover on line ${line}`, timeoutMs, async () => {
    await page.mouse.move(target.x - 40, target.y - 40);
    await page.mouse.move(target.x, target.y, { steps: 4 });
    await hover.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
    const text = (await hover.isVisible()) ? (await hover.innerText()).trim() : '';
    return text ? text : undefined;
  }, 500);
}

/** Saves a screenshot under `dir` (created) and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
