import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_PACING, diffStamps, nextReconcileDelay, statStamps } from '../../../src/editor/treeReconcile';

describe('editor: reconciling the test tree with the disk (missed watcher events)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-reconcile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text?: string) => {
    const f = path.join(dir, name);
    if (text !== undefined) fs.writeFileSync(f, text);
    return f;
  };

  it('finds files created, rewritten and deleted since the baseline, and nothing else', async () => {
    const kept = file('kept.test.ts', "it('a', () => {});");
    const edited = file('edited.test.ts', "it('b', () => {});");
    const deleted = file('deleted.test.ts', "it('c', () => {});");
    const baseline = await statStamps([kept, edited, deleted]);
    assert.deepEqual([...baseline.keys()].sort(), [deleted, edited, kept].sort());

    // Same size, later mtime: still a change (stamps are not content-length only).
    fs.writeFileSync(edited, "it('B', () => {});");
    fs.utimesSync(edited, new Date(), new Date(Date.now() + 5000));
    fs.rmSync(deleted);
    const created = file('created.test.ts', "it('d', () => {});");
    const now = await statStamps([kept, edited, created]);

    assert.deepEqual(diffStamps(baseline, now), { added: [created], changed: [edited], removed: [deleted] });
    assert.deepEqual(diffStamps(now, now), { added: [], changed: [], removed: [] });
  });

  it('leaves out a listed file that vanished before it was stat-ed', async () => {
    const there = file('there.test.ts', 'x');
    const stamps = await statStamps([there, path.join(dir, 'gone.test.ts')]);
    assert.deepEqual([...stamps.keys()], [there]);
  });

  it('paces scans by their cost within the bounds', () => {
    assert.equal(nextReconcileDelay(0), DEFAULT_PACING.minIntervalMs);
    assert.equal(nextReconcileDelay(10), DEFAULT_PACING.minIntervalMs, 'a 10 ms scan every 2 s is within 2.5 %');
    assert.equal(nextReconcileDelay(100), 4000, 'a 100 ms scan waits 4 s');
    assert.equal(nextReconcileDelay(10_000), DEFAULT_PACING.maxIntervalMs);
    assert.equal(nextReconcileDelay(-5), DEFAULT_PACING.minIntervalMs);
  });
});
