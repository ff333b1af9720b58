/**
 * Fault suite, issue 11 "Corrupt reports": the report folder is replaced whole or left as it was,
 * concurrent runs queue, an interrupted run writes nothing, and a folder that cannot be written
 * is a clear message with exit 2 (results still printed).
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { spawnSync, type ChildProcess } from 'child_process';
import { assertNoLeftovers, assertNoStack, CLI, previousReports, processesOf, REPO, runCli, scenario, snapshot, waitForFile } from './harness';

const NOBODY = 65534;

/**
 * A CLI that user `uid` can run: the built one when that user can read it; else (a checkout in a
 * folder only its owner can enter, e.g. `mktemp -d`) a copy of the bundled CLI (`dist/`, built by
 * `npm run package`; self-contained) in a folder everyone can read. `undefined` with neither.
 */
function cliFor(uid: number, made: string[]): string | undefined {
  const readable = (file: string) => spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(file)}, 4)`], { uid, gid: uid }).status === 0;
  if (readable(CLI)) return CLI;
  const dist = path.join(REPO, 'dist', 'cli.js');
  if (!fs.existsSync(dist)) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-cli-'));
  made.push(dir);
  fs.chmodSync(dir, 0o755);
  fs.cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true });
  return path.join(dir, 'dist', 'cli.js');
}

const closing = (stdout: string) => stdout.trimEnd().split('\n').pop();

describe('faults: reports', function () {
  this.timeout(400_000);

  it('concurrent runs in one folder leave one run\'s reports, whole and consistent', async () => {
    const dir = scenario('reports');
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, 'src', `extra${i}.ts`), `export function f${i}(n: number): number {\n  return n > ${i} ? n : ${i};\n}\n`);
    const config = (name: string, sourceGlobs: string[]) => {
      fs.writeFileSync(path.join(dir, name), JSON.stringify({ testGlobs: ['test/**/*.test.ts'], sourceGlobs }));
      return path.join(dir, name);
    };
    const big = config('big.json', ['src/**/*.ts']);
    const small = config('small.json', ['src/sign.ts']);
    const runs = await Promise.all([big, small, big, small].map((c) => runCli(['run', '--config', c, '--root', dir])));
    assert.deepEqual(runs.map((r) => [r.code, r.stderr]), [[0, ''], [0, ''], [0, ''], [0, '']]);
    for (const r of runs) await assertNoLeftovers(r);
    const cov = path.join(dir, 'coverage');
    const final = Object.keys(JSON.parse(fs.readFileSync(path.join(cov, 'coverage-final.json'), 'utf8'))).map((f) => path.relative(dir, f)).sort();
    const summary = Object.keys(JSON.parse(fs.readFileSync(path.join(cov, 'coverage-summary.json'), 'utf8'))).filter((k) => k !== 'total').map((f) => path.relative(dir, f)).sort();
    // lcov.info names each file relative to the project root, whatever the CLI's working directory (here: the repository).
    const lcov = [...fs.readFileSync(path.join(cov, 'lcov.info'), 'utf8').matchAll(/^SF:(.*)$/gm)].map((m) => m[1]).sort();
    assert.ok(final.length === 41 || final.length === 1, `one run's files: ${final.length}`);
    assert.deepEqual(summary, final, 'summary and final json come from the same run');
    assert.deepEqual(lcov, final, 'lcov.info comes from the same run');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.coverage')), [], 'no temporary folder or lock is left');
  });

  it('a run that finds another run writing the same report folder waits for it (the lock) before it writes', async () => {
    const dir = scenario('reports');
    const lock = path.join(dir, '.coverage.lock');
    fs.writeFileSync(lock, String(process.pid)); // a live writer: this test process
    let released = 0;
    // Release the lock once the CLI is alone (its test process is gone: it is at the report step) for 1 s.
    const releaseWhenWaiting = async (cli: ChildProcess, marker: string) => {
      let seenTests = false;
      for (let alone = 0; alone < 10 && cli.exitCode === null && cli.signalCode === null; ) {
        await new Promise((res) => setTimeout(res, 100));
        const pids = processesOf(marker).map((p) => p.pid);
        seenTests ||= pids.length > 1;
        alone = seenTests && pids.length === 1 && pids[0] === cli.pid ? alone + 1 : 0;
      }
      released = Date.now();
      fs.rmSync(lock);
    };
    const r = await runCli(['run', '--root', dir], { started: (cli, marker) => void releaseWhenWaiting(cli, marker) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(released > 0, 'the lock was released while the CLI ran');
    assert.ok(fs.statSync(path.join(dir, 'coverage', 'coverage-final.json')).mtimeMs >= released - 5, 'the reports were written after the other writer was done, not over its work');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.coverage')), [], 'no temporary folder or lock is left');
    await assertNoLeftovers(r);
  });

  it('a run stopped by the watchdog writes no report: the previous ones stay, no "targets met", no process left', async () => {
    const dir = scenario('watchdog');
    const before = previousReports(dir);
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ERROR the whole run exceeded 20000 ms and was stopped$/m);
    assert.match(r.stdout, /^Reports: not written, the run did not complete \(the previous reports in coverage\/ are kept\)$/m);
    assert.equal(closing(r.stdout), '1 passed, 0 failed');
    assert.deepEqual(snapshot(path.join(dir, 'coverage')), before);
    await assertNoLeftovers(r);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} to the CLI ends the busy test process and its child, writes no report, exit 1`, async () => {
      const dir = scenario('busy');
      const before = previousReports(dir);
      const r = await runCli(['run', '--root', dir, '--json'], {
        started: (cli) => void waitForFile(path.join(dir, 'spinning')).then(() => cli.kill(signal)),
      });
      assert.equal(r.killed, false, 'the CLI ended by itself after the signal');
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual([doc.summary.cancelled, doc.summary.complete, doc.summary.allTargetsMet, doc.summary.error], [true, false, false, `interrupted by ${signal}`]);
      assert.deepEqual(doc.reports, []);
      assert.deepEqual(snapshot(path.join(dir, 'coverage')), before);
      await assertNoLeftovers(r);
    });
  }

  it('an unwritable coverage/ (run as another user): exit 2 naming the folder and the cause, results printed, previous reports intact', async function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to run the CLI as "nobody"
    const made: string[] = [];
    const cli = cliFor(NOBODY, made);
    assert.ok(cli, `user ${NOBODY} cannot read ${CLI} and there is no dist/cli.js to copy where it can: run \`npm run package\``);
    const dir = scenario('reports');
    const before = previousReports(dir);
    fs.chmodSync(dir, 0o755);
    const r = await runCli(['run', '--root', dir], { uid: NOBODY, env: { HOME: '/tmp' }, cli, cwd: dir }).finally(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const cov = path.join(fs.realpathSync(dir), 'coverage');
    assert.equal(r.stderr, `governance-coverage: cannot write the reports into ${cov}: permission denied (EACCES at ${cov}); the previous reports are kept\n`);
    assert.equal(closing(r.stdout), '2 passed, 0 failed');
    assert.deepEqual(snapshot(path.join(dir, 'coverage')), before);
    await assertNoLeftovers(r);
  });

  it('a reportDir that is a file: exit 2 naming it, the file untouched', async () => {
    const dir = scenario('report-dir-is-file');
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stderr, `governance-coverage: cannot write the reports into ${path.join(fs.realpathSync(dir), 'report.txt')}: it is a file, not a folder (reportDir); nothing was written\n`);
    assert.equal(closing(r.stdout), '2 passed, 0 failed');
    assert.equal(fs.readFileSync(path.join(dir, 'report.txt'), 'utf8'), 'a file where the report folder would go\n');
    await assertNoLeftovers(r);
  });

  it('a 253-character source name (its .html is too long a name): exit 2 with the cause, no new lcov.info beside the old plan', async () => {
    const dir = scenario('hostile-name', { 'src/hostile.ts': `src/${'n'.repeat(250)}.ts` });
    const before = previousReports(dir);
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^governance-coverage: cannot write the reports into .*\/coverage: a report file name is too long for the file system \(ENAMETOOLONG at .*n{250}\.ts\.html\); the previous reports are kept\n$/);
    assertNoStack(r.stderr);
    assert.equal(closing(r.stdout), '3 passed, 0 failed');
    assert.deepEqual(snapshot(path.join(dir, 'coverage')), before);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.coverage')), [], 'the temporary folder is removed');
    await assertNoLeftovers(r);
  });
});
