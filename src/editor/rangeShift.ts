/**
 * Pure line-range shifting: keeps gap decorations on the right lines while the user edits, by
 * mapping each 0-based inclusive line range through the document's content changes.
 */

/** 0-based, inclusive line range (whole-line decoration). */
export interface LineRange {
  startLine: number;
  endLine: number;
}

/** One content change in old-document coordinates: lines `startLine..endLine` replaced by `text`. */
export interface LineChange {
  startLine: number;
  endLine: number;
  /** Number of line breaks in the inserted text. */
  insertedLineBreaks: number;
}

/** Builds a `LineChange` from a VS Code-shaped change (`range` + `text`). */
export function toLineChange(change: {
  range: { start: { line: number }; end: { line: number } };
  text: string;
}): LineChange {
  let breaks = 0;
  for (let i = 0; i < change.text.length; i++) if (change.text.charCodeAt(i) === 10) breaks++;
  return { startLine: change.range.start.line, endLine: change.range.end.line, insertedLineBreaks: breaks };
}

/**
 * Maps one range through one change: lines before the change stay, lines after it move by the
 * line delta, lines inside it collapse into the replacement's lines. `touched` tells whether the
 * change overlapped the range (its text may no longer be what was measured).
 */
export function shiftRange<T extends LineRange>(range: T, change: LineChange): T & { touched: boolean } {
  const { startLine: s, endLine: e, insertedLineBreaks: n } = change;
  const delta = n - (e - s);
  if (range.endLine < s) return { ...range, touched: false };
  if (range.startLine > e) {
    return { ...range, startLine: range.startLine + delta, endLine: range.endLine + delta, touched: false };
  }
  const start = range.startLine <= s ? range.startLine : Math.min(range.startLine, s + n);
  const end = range.endLine > e ? range.endLine + delta : Math.min(range.endLine, s + n);
  return { ...range, startLine: start, endLine: Math.max(start, end), touched: true };
}

/**
 * Applies the changes of one edit event in order (VS Code lists them so that applying them one
 * after the other is correct) to every range.
 */
export function shiftRanges<T extends LineRange>(ranges: readonly T[], changes: readonly LineChange[]): T[] {
  return ranges.map((r) => {
    let cur: T = r;
    for (const c of changes) {
      const { touched: _touched, ...rest } = shiftRange(cur, c);
      cur = rest as unknown as T;
    }
    return cur;
  });
}
