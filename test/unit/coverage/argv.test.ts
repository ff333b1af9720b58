import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli';
import { parseMutateArgs } from '../../../src/mutation/cli';

function usage(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return assert.fail('accepted');
}

describe('command-line options (node:util parseArgs under both CLIs)', () => {
  it('refuses unknown options, missing values, values on flags and stray arguments in our words', () => {
    assert.equal(usage(() => parseArgs(['run', '--bogus'])), 'unknown option "--bogus"');
    assert.equal(usage(() => parseArgs(['run', '-x'])), 'unknown option "-x"');
    assert.equal(usage(() => parseArgs(['run', '--root'])), '--root needs a value');
    assert.equal(usage(() => parseArgs(['run', '--root', '--json'])), '--root needs a value (write --root=VALUE for a value that starts with "-")');
    assert.equal(usage(() => parseArgs(['run', '--json=yes'])), '--json takes no value');
    assert.equal(usage(() => parseArgs(['run', 'extra'])), 'unexpected argument "extra"');
    assert.equal(usage(() => parseArgs(['report', '--shard', '1/2'])), 'unknown option "--shard"', 'each command has its own options');
    assert.equal(usage(() => parseMutateArgs(['--grep', 'x'])), 'unknown option "--grep"');
  });

  it('reads values in order: the last of --per-test / --no-per-test wins, --files repeats and splits on commas', () => {
    assert.equal(parseArgs(['run', '--per-test', '--no-per-test']).perTest, false);
    assert.equal(parseArgs(['run', '--no-per-test', '--per-test']).perTest, true);
    assert.equal(parseArgs(['run', '--grep=-slow']).grep, '-slow');
    assert.deepEqual(parseMutateArgs(['--files', 'a.ts,b.ts', '--files', 'c.ts:3-9']).files, ['a.ts', 'b.ts', 'c.ts:3-9']);
    assert.deepEqual(parseArgs(['merge', 'shard-1', '--json', 'shard-2']).dirs, [path.resolve('shard-1'), path.resolve('shard-2')]);
  });

  it('takes counts as integers within their range only', () => {
    assert.equal(parseArgs(['run', '--hints', '0']).hints, 0);
    assert.equal(usage(() => parseArgs(['run', '--hints', '2.5'])), '--hints needs an integer ≥ 0');
    assert.equal(usage(() => parseArgs(['run', '--hints', ' '])), '--hints needs an integer ≥ 0');
    assert.equal(parseMutateArgs(['--concurrency', '3']).concurrency, 3);
    assert.equal(usage(() => parseMutateArgs(['--concurrency', '0'])), '--concurrency needs an integer ≥ 1');
  });
});
