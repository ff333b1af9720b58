import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lineReader, openChannel } from '../../../src/coverage/channel';

describe('coverage child channel', () => {
  it('writes every message, in order, as one JSON line each through the writer thread', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-channel-'));
    const file = path.join(dir, 'messages');
    const fd = fs.openSync(file, 'w');
    try {
      const fallback: unknown[] = [];
      const channel = openChannel<{ n: number; text?: string }>(fd, (m) => fallback.push(m));
      const big = 'x'.repeat(5 * 1024 * 1024); // larger than the ring: written in pieces
      // 120 000 small lines (~5 MB, non-ASCII included) wrap around the 4 MB ring.
      const small = (n: number) => 'é→𝄞'.repeat(n % 4);
      const count = 120_000;
      for (let n = 0; n < count; n++) channel.send({ n, text: small(n) });
      channel.send({ n: count, text: big });
      channel.send({ n: count + 1, text: 'line\nbreak' });
      channel.flush();
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      assert.equal(lines.pop(), '');
      const messages = lines.map((l) => JSON.parse(l) as { n: number; text?: string });
      assert.deepEqual(messages.map((m) => m.n), Array.from({ length: count + 2 }, (_, i) => i));
      assert.deepEqual(messages.slice(0, count).filter((m) => m.text !== small(m.n)), []);
      assert.equal(messages[count].text, big);
      assert.equal(messages[count + 1].text, 'line\nbreak');
      assert.deepEqual(fallback, []);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the given sender when there is no pipe', () => {
    const fallback: unknown[] = [];
    const channel = openChannel<{ n: number }>(undefined, (m) => fallback.push(m));
    channel.send({ n: 1 });
    channel.send({ n: 2 });
    channel.flush();
    assert.deepEqual(fallback, [{ n: 1 }, { n: 2 }]);
  });

  it('reads messages split anywhere across chunks', () => {
    const got: unknown[] = [];
    const reader = lineReader((m) => got.push(m));
    const text = '{"a":1}\n{"b":"x\\ny"}\n{"c":[1,2]}';
    for (const chunk of [text.slice(0, 3), text.slice(3, 9), text.slice(9, 20), text.slice(20)]) reader.push(chunk);
    assert.deepEqual(got, [{ a: 1 }, { b: 'x\ny' }]);
    reader.end();
    assert.deepEqual(got, [{ a: 1 }, { b: 'x\ny' }, { c: [1, 2] }]);
  });
});
