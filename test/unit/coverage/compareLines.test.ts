/**
 * bench/compare.ts explains, file by file, why our lines figure and c8's differ: the lines only
 * c8 counts, the lines c8 leaves out under its ignore hints, and the lines both count but mark
 * differently.
 */
import { strict as assert } from 'assert';
import type { FileCoverageData } from 'istanbul-lib-coverage';
import { c8IgnoredLines, explainLines, lineReason } from '../../../bench/compare';

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
  // A file of 8 lines: statements start on 2, 3, 5 and 7 (5 and 7 never ran); 1 is a comment,
  // 4 a brace, 6 `/* c8 ignore next */`, 8 a brace. c8 counts line 7 covered under the hint and
  // marks line 3 uncovered (inside a range that never ran, although the statement starting there ran).
  const ours = statements('/p/a.js', [[2, 1], [3, 4], [5, 0], [7, 0]]);
  const c8 = statements('/p/a.js', [[1, 1], [2, 1], [3, 0], [4, 0], [5, 0], [6, 1], [7, 1], [8, 1]]);
  const hints = new Set([6, 7]);

  it('splits the difference into lines only c8 counts, lines under its ignore hints and lines marked differently', () => {
    assert.deepEqual(explainLines(ours, c8, hints), {
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
      lineReason(explainLines(ours, c8, hints)),
      'c8 also counts 4 lines that hold no statement (1 of them uncovered); counts 1 of our lines as covered under its ignore hints (1 of them uncovered here); ' +
        'marks 1 of the 3 lines both count differently (line 3): on those lines c8 33.3, ours 66.7',
    );
  });

  it('reads c8\'s ignore hints as c8 does: the hint line and the N lines after it, or from start to stop', () => {
    const text = ['a();', '/* c8 ignore next 2 */', 'b();', 'c();', 'd();', '/* c8 ignore start */', 'e();', '/* c8 ignore stop */', 'f();'].join('\n');
    assert.deepEqual([...c8IgnoredLines(text)].sort((x, y) => x - y), [2, 3, 4, 6, 7, 8]);
  });

  it('reports agreement when both count the same lines and mark them alike', () => {
    const same = statements('/p/b.js', [[1, 1], [2, 0]]);
    const d = explainLines(same, same);
    assert.deepEqual([d.onlyC8, d.ignoredByC8, d.both, d.disagree, d.c8OnBoth, d.oursOnBoth], [0, 0, 2, [], 50, 50]);
    assert.equal(lineReason(d), 'c8 also counts 0 lines that hold no statement (0 of them uncovered); marks the 2 lines both count as we do: on those lines c8 50.0, ours 50.0');
  });
});
