/**
 * What a person does in the VS Code workbench, expressed on its DOM: command palette, quick
 * open, go to line, hovering a line, reading widgets. Every wait is bounded.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { poll } from './procs';

export { poll };

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

/**
 * Labels of the command palette rows shown for `filter` (first screenful). Retries for up to
 * `settleMs` while the palette says "No matching commands": contributed commands appear only
 * once the remote extension host has registered the extensions.
 */
export async function paletteCommands(page: Page, filter: string, settleMs = 30_000): Promise<string[]> {
  const rows = quickInput(page).locator('.quick-input-list .monaco-list-row .label-name');
  let labels: string[] = [];
  await poll(`palette rows for "${filter}"`, settleMs, async () => {
    await openQuickInput(page, 'F1', `>${filter}`);
    await rows.first().waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
    labels = (await rows.allInnerTexts()).map((l) => l.trim());
    await page.keyboard.press('Escape');
    return labels.length > 0 && labels[0] !== 'No matching commands' ? true : undefined;
  }, 1_000).catch(() => undefined);
  return labels;
}

/**
 * Runs a command by its palette title (exact match), as a person would: F1, type, click.
 * Waits up to `availableMs` for the command to be offered (extension still activating).
 */
export async function runCommand(page: Page, title: string, availableMs = 30_000): Promise<void> {
  const row = quickInput(page)
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactly(title) }) })
    .first();
  await poll(`command "${title}" in the palette`, availableMs, async () => {
    await openQuickInput(page, 'F1', `>${title}`);
    if (await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) return true;
    await page.keyboard.press('Escape');
    return undefined;
  }, 1_000);
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

/**
 * The on-screen box of line `line`'s number in the active editor's gutter. Monaco re-renders
 * the gutter while it scrolls, so the lookup is retried until the box is stable.
 */
async function lineNumberBox(page: Page, line: number, timeoutMs = 10_000): Promise<{ x: number; y: number; width: number; height: number }> {
  const num = activeEditor(page).locator('.margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
  let previous = '';
  return poll(`line ${line} on screen`, timeoutMs, async () => {
    const box = (await num.isVisible()) ? await num.boundingBox() : null;
    const key = box ? `${box.x},${box.y}` : '';
    const stable = box && key === previous ? box : undefined;
    previous = key;
    return stable;
  }, 150);
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

/**
 * Scrolls the active editor from the top, a page at a time (as a person would with Page Down),
 * until gutter marks are on screen; returns the marked line numbers then visible.
 */
export async function scrollToGutterMarks(page: Page, maxPages = 60, markSelector = '.cgmr'): Promise<number[]> {
  await goToLine(page, 1);
  for (let i = 0; i <= maxPages; i++) {
    await page.waitForTimeout(150);
    const lines = await gutterDecoratedLines(page, markSelector);
    if (lines.length) return lines;
    await page.keyboard.press('PageDown');
  }
  return [];
}

/**
 * Text a decoration draws after (or before) line `line`'s content — CSS `content` of the
 * line's pseudo-elements, as the eye reads it (e.g. an inline `◂ gap: …` hint).
 */
export async function afterTextOfLine(page: Page, line: number): Promise<string> {
  const box = await lineNumberBox(page, line);
  const y = box.y + box.height / 2;
  return activeEditor(page).evaluate((root, yy) => {
    // The page's window (this file compiles without the DOM lib).
    const win = globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } };
    const parts: string[] = [];
    for (const el of root.querySelectorAll('.view-lines .view-line, .view-lines .view-line *')) {
      const r = el.getBoundingClientRect();
      if (yy < r.top || yy > r.bottom) continue;
      for (const pseudo of ['::before', '::after']) {
        const c = win.getComputedStyle(el, pseudo).content;
        if (c && c !== 'none' && c !== 'normal') parts.push(c.replace(/^"|"$/g, ''));
      }
    }
    return parts.join(' ');
  }, y);
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

/** Hides the bottom panel (e.g. Test Results, opened by a run) when it is showing. */
export async function hidePanel(page: Page): Promise<void> {
  const panel = page.locator('.part.panel');
  if ((await panel.count()) > 0 && (await panel.first().isVisible())) {
    await runCommand(page, 'View: Toggle Panel Visibility');
    await panel.first().waitFor({ state: 'hidden', timeout: 10_000 });
  }
}

/** Texts of the status bar items, trimmed, empty ones left out. */
export async function statusBarTexts(page: Page): Promise<string[]> {
  return (await page.locator('.statusbar-item').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** Saves a screenshot under `dir` (created) and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
