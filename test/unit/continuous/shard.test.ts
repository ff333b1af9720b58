import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, embeddedConfig, findTestFiles, loadConfig, renderHints, renderTable, startRun } from '../../../src/coverage/index';
import type { ResolvedConfig, RunResult } from '../../../src/coverage/model';
import { mergeShards } from '../../../src/continuous/merge';
import { eventRecorder, parseShard, splitShards, type ShardRecord } from '../../../src/continuous/shard';
import { fixture } from '../coverage/helpers';
import { EMBEDDED_SNAPSHOT } from '../embeddedSnapshot';
import { cliArgs } from '../cliArgs';

/** Run the shards of a split through the engine API, as `run --shard k/n` does. */
async function shardRecords(config: ResolvedConfig, n: number): Promise<ShardRecord[]> {
  const parts = splitShards(config.root, await findTestFiles(config), {}, n);
  const records: ShardRecord[] = [];
  for (const [i, files] of parts.entries()) {
    const handle = startRun({ config, files, perTest: true, keepRaw: true });
    const rec = eventRecorder(config.root);
    handle.onEvent(rec.onEvent);
    const result = JSON.parse(JSON.stringify(await handle.result)) as RunResult; // as written to disk
    records.push({ format: 'governance-coverage-shard/1', k: i + 1, n, root: config.root, files, result, failures: rec.failures, durations: rec.durations });
  }
  return records;
}

const ran = (counts: Record<string, number | number[]>) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Array.isArray(v) ? v.map((c) => c > 0) : v > 0]));
/** Hit counts → ran or not: code that runs as a module loads runs once per shard (see merge.ts). */
const lcovRan = (lcov: string) => lcov.replace(/^(DA:\d+,|FNDA:)(\d+)/gm, (_, a, n) => `${a}${Number(n) > 0 ? 1 : 0}`).replace(/^(BRDA:\d+,\d+,\d+,)(\d+)$/gm, (_, a, n) => `${a}${Number(n) > 0 ? 1 : 0}`).replace(/^(LH|LF|BRH|BRF|FNH|FNF):.*$/gm, '$&');

/** What a user sees and the reports hold: table, hints, per-file structure, what ran, per-test data. */
async function picture(result: RunResult, config: ResolvedConfig) {
  const analysis = await analyze(result, config);
  const files = Object.fromEntries(Object.entries(result.coverage).map(([f, d]) => [f, { s: ran(d.s), b: ran(d.b), f: ran(d.f), statementMap: d.statementMap, branchMap: d.branchMap, fnMap: d.fnMap }]));
  return { table: renderTable(analysis), hints: renderHints(analysis, 10), files, perTest: result.perTest, stats: [result.stats.passed, result.stats.failed, result.stats.total] };
}

describe('sharded runs and their merge', function () {
  this.timeout(300000);

  it('splits by recorded duration, longest first onto the least loaded shard, stable by path', () => {
    const root = '/r';
    const files = ['a', 'b', 'c', 'd', 'e'].map((f) => `/r/test/${f}.test.ts`);
    const durations = { 'test/a.test.ts': 100, 'test/b.test.ts': 400, 'test/c.test.ts': 300, 'test/d.test.ts': 250 };
    // e has no duration: the mean, 262.5. b(400)→1; c(300)→2; e→2 (562.5); d(250)→1 (650); a(100)→2 (662.5).
    assert.deepEqual(splitShards(root, files, durations, 2), [
      ['/r/test/b.test.ts', '/r/test/d.test.ts'],
      ['/r/test/a.test.ts', '/r/test/c.test.ts', '/r/test/e.test.ts'],
    ]);
    // Without durations: every file weighs the same, taken in path order.
    assert.deepEqual(splitShards(root, files, {}, 3), [
      ['/r/test/a.test.ts', '/r/test/d.test.ts'],
      ['/r/test/b.test.ts', '/r/test/e.test.ts'],
      ['/r/test/c.test.ts'],
    ]);
    assert.deepEqual(splitShards(root, files.slice(0, 1), {}, 2), [['/r/test/a.test.ts'], []]);
  });

  it('parses --shard k/n and refuses anything else', () => {
    assert.deepEqual(parseShard('2/3'), { k: 2, n: 3 });
    assert.throws(() => parseShard('0/3'), /1 ≤ k ≤ n/);
    assert.throws(() => parseShard('4/3'), /1 ≤ k ≤ n/);
    assert.throws(() => parseShard('two'), /k\/n/);
  });

  for (const [name, n] of [['fixture "shards"', 2], ['fixture "shards"', 3], ['the embedded governance suite', 3]] as const) {
    it(`merges ${n} shards of ${name} into what one run gives`, async () => {
      const config = name.startsWith('fixture') ? await loadConfig(fixture('shards')) : embeddedConfig(EMBEDDED_SNAPSHOT);
      const single = await startRun({ config, perTest: true }).result;
      assert.equal(single.error, undefined);
      const merged = await mergeShards(await shardRecords(config, n), config);
      const [a, b] = [await picture(single, config), await picture(merged, config)];
      assert.deepEqual(b.stats, a.stats);
      if (name.startsWith('fixture')) {
        assert.deepEqual(b.files, a.files);
        assert.equal(b.table, a.table);
        assert.equal(b.hints, a.hints);
        assert.deepEqual(b.perTest, a.perTest);
      } else {
        // The governance suite's property tests draw random inputs (fast-check, unseeded), so no two
        // runs execute exactly the same code: V8 merges adjacent blocks whose counts happen to be equal
        // (branch ranges differ) and a rarely drawn input reaches a function or line or not. So the
        // merge must equal one run wherever two single runs agree. And each shard's first test runs the
        // lazy set-up one run's first test does (db/database.ts): functions V8 lists only once they
        // ran differ there, until the conversion counts functions from the AST.
        const again = await picture(await startRun({ config, perTest: true }).result, config);
        let compared = 0;
        for (const [file, d] of Object.entries(a.files)) {
          const m = b.files[file];
          assert.deepEqual(m.statementMap, d.statementMap, file);
          if (JSON.stringify(again.files[file].fnMap) !== JSON.stringify(d.fnMap) || JSON.stringify(m.fnMap) !== JSON.stringify(d.fnMap)) continue;
          compared++;
          for (const kind of ['s', 'f'] as const) {
            for (const [id, ran] of Object.entries(d[kind])) {
              if (again.files[file][kind][id] === ran) assert.equal(m[kind][id], ran, `${file} ${kind}[${id}]`);
            }
          }
        }
        assert.ok(compared >= 10, `${compared} files compared`);
        // Every test with per-test data in one run has it in the merge (a shard's first test may add the lazy set-up).
        const merged = new Set(Object.keys(b.perTest ?? {}));
        assert.deepEqual(Object.keys(a.perTest ?? {}).filter((t) => !merged.has(t)), []);
      }
      if (name.startsWith('fixture')) {
        // Together the shards take every branch but `Cart.add`'s throw, the empty-cart `summary` side
        // … and `label`'s 'cheap' (no test prices under 10); each shard alone misses more.
        assert.match(b.table, /^src\/cart\.ts     100\.0%     83\.3%     100\.0%  L95 B90  BELOW \(branches\)/m);
        assert.match(b.table, /^src\/pricing\.ts  100\.0%     88\.9%     100\.0%  L95 B90  BELOW \(branches\)/m);
      }
    });
  }

  it('merges shard records from the CLI into the same table and reports as one run', () => {
    const root = fixture('shards');
    const report = path.join(root, '.tmp', 'coverage');
    fs.rmSync(path.join(root, '.tmp'), { recursive: true, force: true });
    const run = (...args: string[]) => spawnSync(process.execPath, [...cliArgs(), ...args], { encoding: 'utf8' });
    const single = run('run', '--root', root);
    const singleLcov = lcovRan(fs.readFileSync(path.join(report, 'lcov.info'), 'utf8'));
    assert.ok(fs.existsSync(path.join(report, 'test-durations.json')));
    const s1 = run('run', '--root', root, '--shard', '1/2');
    const s2 = run('run', '--root', root, '--shard', '2/2');
    assert.match(s1.stdout, /^Shard 1\/2: \d test file\(s\)/m);
    assert.equal([s1.status, s2.status].join(), '0,0', s1.stderr + s2.stderr);
    const merged = run('merge', '--root', root, report);
    assert.equal(merged.status, single.status, merged.stderr);
    assert.equal(merged.stdout, single.stdout);
    assert.equal(lcovRan(fs.readFileSync(path.join(report, 'lcov.info'), 'utf8')), singleLcov);
    const missing = run('merge', '--root', root, path.join(report, 'shard-1-of-2.json'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing shard\(s\) 2\/2/);
  });
});
