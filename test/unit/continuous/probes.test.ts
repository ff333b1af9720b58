import { strict as assert } from 'assert';
import * as vm from 'vm';
import { instrumentProbes, mapFunctions, OffsetMap } from '../../../src/continuous/probes';

/** Run instrumented code with fresh probe globals; returns the touched ids and the result. */
function run(code: string, call: string): { touched: number[]; value: unknown } {
  const flags = new Uint8Array(64);
  const touched: number[] = [];
  const ctx = vm.createContext({ __gcf: flags, __gcv: (id: number) => { flags[id] = 1; touched.push(id); } });
  const value = vm.runInContext(`${code};${call}`, ctx);
  return { touched, value };
}

describe('per-test probes', function () {
  this.timeout(30000);
  const code = 'function f(a,b){if(a>1)return b?"x":"y";for(const k of [1,2])a+=k;return a&&b||"z"}\nconst g=(n)=>n>0?n:-n;';

  it('inserts a probe per block and keeps what the code does', () => {
    const out = instrumentProbes(code, 10)!;
    // f's body, the if's consequent, both sides of ?:, the loop body, `&&`'s and `||`'s right operands, g's body and both sides of its ?:
    assert.equal(out.blocks.length, 10);
    assert.equal(out.blocks.filter((b) => b.fn).length, 2);
    for (const [call, expected] of [['f(2,1)', 'x'], ['f(2,0)', 'y'], ['f(0,1)', 1], ['f(0,0)', 'z'], ['g(-3)', 3]] as const) {
      assert.equal(run(out.code, call).value, vm.runInNewContext(`${code};${call}`), call);
    }
    // f(2,1): f's body (10), the if's consequent and `?:`'s true side; nothing of the loop.
    const fired = run(out.code, 'f(2,1)').touched;
    assert.equal(fired[0], 10);
    assert.equal(fired.length, 3);
    assert.deepEqual(fired.map((id) => code.slice(out.blocks[id - 10].start, out.blocks[id - 10].end)), [
      code.slice(0, code.indexOf('\n')), 'return b?"x":"y";', '"x"',
    ]);
  });

  it('fires a probe once per window, however often its block runs', () => {
    const out = instrumentProbes('function loop(n){let s=0;for(let i=0;i<n;i++){s+=i}return s}', 0)!;
    assert.deepEqual(run(out.code, 'loop(1000)').touched, [0, 1]);
  });

  it('maps offsets of the instrumented code back, dropping ranges inside the probes', () => {
    const out = instrumentProbes(code, 0)!;
    const map = new OffsetMap(out.inserts);
    const gAt = code.indexOf('(n)=>');
    const gInstrumented = out.code.indexOf('(n)=>');
    assert.equal(map.toOriginal(gInstrumented), gAt);
    assert.equal(map.toOriginal(out.code.length), code.length);
    const probe = out.code.indexOf('__gcv(');
    const fns = mapFunctions(map, [{ functionName: 'g', isBlockCoverage: true, ranges: [{ startOffset: gInstrumented, endOffset: out.code.length - 1, count: 1 }, { startOffset: probe, endOffset: probe + 9, count: 0 }] }]);
    assert.deepEqual(fns[0].ranges, [{ startOffset: gAt, endOffset: code.length - 1, count: 1 }]);
  });

  it('leaves code that does not parse uninstrumented', () => {
    assert.equal(instrumentProbes('function (', 0), undefined);
  });
});
