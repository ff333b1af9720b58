import { strict as assert } from 'assert';
import fc from 'fast-check';
import { shiftRange, shiftRanges, toLineChange } from '../../../src/editor/rangeShift';

describe('editor/rangeShift: decorations follow edits', () => {
  const r = { startLine: 10, endLine: 12, gapId: 'g' };

  it('moves ranges below an insertion down and keeps the payload', () => {
    const change = toLineChange({ range: { start: { line: 2 }, end: { line: 2 } }, text: 'a\nb\nc\n' });
    assert.deepEqual(change, { startLine: 2, endLine: 2, insertedLineBreaks: 3 });
    assert.deepEqual(shiftRange(r, change), { startLine: 13, endLine: 15, gapId: 'g', touched: false });
  });

  it('moves ranges below a deletion up', () => {
    const change = toLineChange({ range: { start: { line: 3 }, end: { line: 6 } }, text: '' });
    assert.deepEqual(shiftRange(r, change), { startLine: 7, endLine: 9, gapId: 'g', touched: false });
  });

  it('leaves ranges above the edit alone', () => {
    const change = toLineChange({ range: { start: { line: 20 }, end: { line: 25 } }, text: '' });
    assert.deepEqual(shiftRange(r, change), { ...r, touched: false });
  });

  it('marks a range touched when typing inside it, without moving it', () => {
    const change = toLineChange({ range: { start: { line: 11 }, end: { line: 11 } }, text: 'x' });
    assert.deepEqual(shiftRange(r, change), { ...r, touched: true });
  });

  it('grows a range when lines are inserted inside it and shrinks it when lines inside are deleted', () => {
    const ins = toLineChange({ range: { start: { line: 11 }, end: { line: 11 } }, text: '\n\n' });
    assert.deepEqual(shiftRange(r, ins), { ...r, endLine: 14, touched: true });
    const del = toLineChange({ range: { start: { line: 11 }, end: { line: 12 } }, text: '' });
    assert.deepEqual(shiftRange(r, del), { ...r, endLine: 11, touched: true });
  });

  it('collapses a fully deleted range onto the deletion line', () => {
    const del = toLineChange({ range: { start: { line: 9 }, end: { line: 13 } }, text: '' });
    assert.deepEqual(shiftRange(r, del), { ...r, startLine: 9, endLine: 9, touched: true });
  });

  it('applies several changes in order', () => {
    const changes = [
      toLineChange({ range: { start: { line: 30 }, end: { line: 30 } }, text: '\n' }),
      toLineChange({ range: { start: { line: 0 }, end: { line: 0 } }, text: '\n\n' }),
    ];
    assert.deepEqual(shiftRanges([r], changes), [{ startLine: 12, endLine: 14, gapId: 'g' }]);
  });

  it('property: a range clear of the edit keeps its length and moves by exactly the line delta (or not at all)', () => {
    fc.assert(
      fc.property(
        fc.nat(200), fc.nat(20), fc.nat(200), fc.nat(20), fc.nat(20),
        (start, len, s, span, n) => {
          const range = { startLine: start, endLine: start + len };
          const change = { startLine: s, endLine: s + span, insertedLineBreaks: n };
          const out = shiftRange(range, change);
          assert.ok(out.startLine <= out.endLine);
          if (range.endLine < s) assert.deepEqual(out, { ...range, touched: false });
          else if (range.startLine > s + span) {
            assert.equal(out.startLine - range.startLine, n - span);
            assert.equal(out.endLine - out.startLine, len);
          } else assert.equal(out.touched, true);
        },
      ),
    );
  });
});
