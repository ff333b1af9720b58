/**
 * bench/compare.ts explains, file by file, why our lines figure and c8's differ: the lines only
 * c8 counts, the lines c8 leaves out under its ignore hints, and the lines both count but mark
 * differently.
 */
import { strict as assert } from 'assert';
import type { FileCoverageData } from 'istanbul-lib-coverage';
import { explainLines, lineReason } from '../../../bench/compare';

const loc = (line: number, end = 10) => ({ start: { line, column: 0 }, end: { line, column: end } });

/** Istanbul data with one statement per listed line and the given counts. */
function statements(path: string, byLine: Array<[number, number]>): FileCoverageData {
  const statementMap: FileCoverageData['statementMap'] = {};
  const s: FileCoverageData['s'] = {};
  byLine.forEach(([line, count], i) => {
    statementMap[i] = loc(line);
    s[i] = count;
  });
  return { path, statementMap, s, fnMap: {}, f: {}, branchMap: {}, b: {} };
}

describe('bench/compare.ts: lines against c8, explained', () => {
  // A file of 8 lines: statements start on 2, 3, 5 and 7 (5 never ran); 1 is a comment, 4 a
  // brace, 6 blank; c8 leaves 7 out under `/* c8 ignore next */` on 6 and marks line 3 uncovered
  // (inside a range that never ran, although the statement starting there ran).
  const ours = statements('/p/a.js', [[2, 1], [3, 4], [5, 0], [7, 0]]);
  const c8 = statements('/p/a.js', [[1, 1], [2, 1], [3, 0], [4, 0], [5, 0], [6, 1], [8, 1]]);

  it('splits the difference into lines only c8 counts, lines it ignores and lines marked differently', () => {
    assert.deepEqual(explainLines(ours, c8), {
      onlyC8: 4,
      onlyC8Uncovered: 1,
      ignoredByC8: 1,
      ignoredByC8Uncovered: 1,
      both: 3,
      disagree: [3],
      c8OnBoth: 100 / 3,
      oursOnBoth: 200 / 3,
    });
  });

  it('says it in one sentence', () => {
    assert.equal(
      lineReason(explainLines(ours, c8)),
      'c8 also counts 4 lines that hold no statement (1 of them uncovered); leaves out 1 under its ignore hints (1 uncovered here); ' +
        'marks 1 of the 3 lines both count differently (line 3): on those lines c8 33.3, ours 66.7',
    );
  });

  it('reports agreement when both count the same lines and mark them alike', () => {
    const same = statements('/p/b.js', [[1, 1], [2, 0]]);
    const d = explainLines(same, same);
    assert.deepEqual([d.onlyC8, d.ignoredByC8, d.both, d.disagree, d.c8OnBoth, d.oursOnBoth], [0, 0, 2, [], 50, 50]);
    assert.equal(lineReason(d), 'c8 also counts 0 lines that hold no statement (0 of them uncovered); marks the 2 lines both count as we do: on those lines c8 50.0, ours 50.0');
  });
});
