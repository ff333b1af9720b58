/**
 * Where the static map reads each branch side's count (staticMap.ts probes): positions written
 * from the source text below, not from the code under test.
 */
import { strict as assert } from 'assert';
import { staticMap, type Probe } from '../../../src/coverage/staticMap';

/** A probe as line/column pairs (Babel's positions also carry an offset). */
const lc = (p: Probe) => {
  const at = (x: { line: number; column: number }) => ({ line: x.line, column: x.column });
  return 'at' in p ? { at: at(p.at) } : { minus: p.minus.map(at) };
};

describe('static map probes', () => {
  it('reads a switch case at its first statement, and an empty case that falls through at the next case with one', () => {
    const text = [
      'function pick(k) {', //     line 1
      '  switch (k) {', //         line 2
      '    case 1:', //            line 3: empty, falls through to case 2
      '    case 2:', //            line 4
      "      return 'low';", //    line 5, column 6
      '    default:', //           line 6
      "      return 'high';", //   line 7, column 6
      '  }',
      '}',
      '',
    ].join('\n');
    const map = staticMap('/virtual/pick.js', text);
    assert.deepEqual(Object.values(map.data.branchMap).map((b) => b.type), ['switch']);
    assert.deepEqual(map.b[0].map(lc), [{ at: { line: 5, column: 6 } }, { at: { line: 5, column: 6 } }, { at: { line: 7, column: 6 } }]);
  });

  it('reads the implicit else of an if as the if minus its consequent', () => {
    const text = ['function f(x) {', '  if (x) {', '    return 1;', '  }', '  return 2;', '}', ''].join('\n');
    const map = staticMap('/virtual/f.js', text);
    // if at 2:2, consequent block at 2:9
    assert.deepEqual(map.b[0].map(lc), [{ at: { line: 2, column: 9 } }, { minus: [{ line: 2, column: 2 }, { line: 2, column: 9 }] }]);
  });
});
