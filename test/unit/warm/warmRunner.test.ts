/**
 * The warm runner (src/warm): a rerun is served by the same test process and sees the edits;
 * a fresh process serves the run whenever the warm one cannot be trusted; nothing is left
 * running after `dispose()` or when the process that owns the runner dies.
 */
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, startAffected, startRun } from '../../../src/coverage/index';
import type { RunResult } from '../../../src/coverage/model';
import { processesOfRun } from '../../../src/coverage/processes';
import { WarmRunner } from '../../../src/warm/warmRunner';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** A small TypeScript project in a temporary folder (node_modules linked to the repository's). */
function project(files: Record<string, string>, config: object = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-warm-'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  const all: Record<string, string> = {
    'governance-coverage.config.json': JSON.stringify({ testGlobs: ['test/**/*.test.ts'], sourceGlobs: ['src/**/*.ts'], timeout: 5000, ...config }),
    'src/pricing.ts': [
      'export function price(base: number, member: boolean): number {',
      '  return member ? round(base * 0.9) : base;',
      '}',
      'export function round(n: number): number {',
      '  return Math.round(n * 100) / 100;',
      '}',
      'export function label(n: number): string {',
      "  return n > 10 ? 'fair' : 'cheap';",
      '}',
      '',
    ].join('\n'),
    'test/price.test.ts': [
      "import { strict as assert } from 'assert';",
      "import { price } from '../src/pricing';",
      "describe('price', () => {",
      "  it('gives members 10%', () => assert.equal(price(10, true), 9));",
      "  it('charges others in full', () => assert.equal(price(10, false), 10));",
      '});',
      '',
    ].join('\n'),
    'test/label.test.ts': [
      "import { strict as assert } from 'assert';",
      "import { label } from '../src/pricing';",
      "describe('label', () => {",
      "  it('labels fair prices', () => assert.equal(label(50), 'fair'));",
      '});',
      '',
    ].join('\n'),
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const titles = (r: RunResult) => Object.values(r.testTitles).sort();
const fileLines = (r: RunResult, file: string) => {
  const d = r.coverage[file];
  return Object.entries(d.s).map(([id, c]) => `${d.statementMap[id].start.line}:${c > 0 ? 'ran' : 'not'}`).sort();
};

describe('warm runner: a test process kept between runs', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  let warm: WarmRunner;
  const make = (files: Record<string, string> = {}, config: object = {}) => {
    const root = project(files, config);
    roots.push(root);
    return root;
  };
  beforeEach(() => {
    warm = new WarmRunner();
  });
  afterEach(() => warm.dispose());
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it('serves a second run from the same process, and a rerun after an edit sees the edit', async () => {
    const root = make();
    const config = await loadConfig(root);
    const first = await warm.start({ config }).result;
    assert.equal(first.error, undefined);
    assert.deepEqual([first.stats.passed, first.stats.failed], [3, 0]);
    const pid = warm.served!.pid;
    assert.deepEqual(warm.served, { pid, runId: warm.served!.runId, reused: false, fresh: 'no warm test process yet' });

    const second = await warm.start({ config }).result;
    assert.deepEqual(warm.served, { pid, runId: warm.served!.runId, reused: true });
    assert.deepEqual([second.stats.passed, second.stats.failed], [3, 0]);
    // A full run reloads every project module: the same coverage as the first run.
    const pricing = path.join(root, 'src', 'pricing.ts');
    assert.deepEqual(fileLines(second, pricing), fileLines(first, pricing));

    fs.writeFileSync(pricing, fs.readFileSync(pricing, 'utf8').replace("'fair'", "'FAIR'"));
    const label = path.join(root, 'test', 'label.test.ts');
    const third = await warm.start({ config, files: [label] }).result;
    assert.deepEqual(warm.served, { pid, runId: warm.served!.runId, reused: true });
    assert.deepEqual([third.stats.passed, third.stats.failed], [0, 1]);
    // The edited module's coverage is the new one's: `label` ran, `price` did not in this run.
    const fns = third.coverage[pricing];
    assert.deepEqual(Object.entries(fns.f).map(([id, c]) => [fns.fnMap[id].name, c > 0]), [['price', false], ['round', false], ['label', true]]);
    assert.deepEqual(Object.keys(third.perTest ?? {}).map((id) => id.split('\u001f').slice(1).join(' ')), ['label labels fair prices']);
  });

  it('reloads a changed module and the modules that import it, and keeps the others loaded', async () => {
    const loads = (name: string) => `const g = globalThis as { loads?: Record<string, number> };\ng.loads ??= {};\nexport const loads = (g.loads.${name} = (g.loads.${name} ?? 0) + 1);\n`;
    const root = make({
      'src/cart.ts': `import { price } from './pricing';\n${loads('cart')}export function total(xs: number[]): number {\n  return xs.reduce((t, x) => t + price(x, true), 0);\n}\n`,
      'src/clock.ts': `${loads('clock')}export function now(): number {\n  return 42;\n}\n`,
      'test/cart.test.ts': [
        "import { strict as assert } from 'assert';",
        "import { total, loads as cartLoads } from '../src/cart';",
        "import { loads as clockLoads } from '../src/clock';",
        // The titles tell how often each module has been loaded in this process.
        "describe('cart', () => { it(`totals (cart loaded ${cartLoads}, clock loaded ${clockLoads})`, () => assert.equal(total([10, 20]), 27)); });",
        '',
      ].join('\n'),
    });
    const config = await loadConfig(root);
    const cartTest = path.join(root, 'test', 'cart.test.ts');
    const first = await warm.start({ config, files: [cartTest] }).result;
    assert.deepEqual(titles(first), ['cart totals (cart loaded 1, clock loaded 1)']);
    const pricing = path.join(root, 'src', 'pricing.ts');
    fs.writeFileSync(pricing, fs.readFileSync(pricing, 'utf8').replace('base * 0.9', 'base * 0.8'));
    const second = await warm.start({ config, files: [cartTest] }).result;
    assert.equal(warm.served!.reused, true);
    // cart.ts imports the edited pricing.ts: reloaded; clock.ts is not: kept.
    assert.deepEqual(titles(second), ['cart totals (cart loaded 2, clock loaded 1)']);
    assert.equal(second.stats.failed, 1);
  });

  it('prepare() starts the warm process ahead: the first run is served by it', async () => {
    const root = make();
    const config = await loadConfig(root);
    warm.prepare({ config });
    const run = await warm.start({ config, files: [path.join(root, 'test', 'label.test.ts')] }).result;
    assert.deepEqual([run.stats.passed, warm.served!.reused], [1, true], JSON.stringify(warm.served));
  });

  it('a continuous run through it: the affected tests rerun in the warm process and the merged picture equals a full run', async () => {
    const root = make();
    const config = await loadConfig(root);
    const previous = await warm.start({ config }).result;
    const pid = warm.served!.pid;
    const pricing = path.join(root, 'src', 'pricing.ts');
    const before = fs.readFileSync(pricing, 'utf8');
    const after = before.replace('return Math.round(n * 100) / 100;', 'const cents = Math.round(n * 100);\n  return cents / 100;');
    fs.writeFileSync(pricing, after);
    const run = startAffected(config, previous, [{ file: pricing, before, after }], (o) => warm.start(o));
    assert.deepEqual(run.selection.tests.map((id) => id.split('\u001f').slice(1).join(' ')), ['price gives members 10%']);
    const { fresh, picture } = await run.result;
    assert.equal(warm.served!.pid, pid);
    assert.deepEqual([fresh.stats.total, fresh.stats.passed], [1, 1]);
    const full = await startRun({ config }).result;
    assert.deepEqual(fileLines(picture, pricing), fileLines(full, pricing));
    assert.deepEqual(titles(picture), titles(full));
  });

  it('falls back to a fresh process after a test left a timer running', async () => {
    const root = make({ 'test/leak.test.ts': "describe('leak', () => { it('starts a timer it never stops', () => { setInterval(() => undefined, 1000); }); });\n" });
    const config = await loadConfig(root);
    const first = await warm.start({ config }).result;
    assert.equal(first.stats.passed, 4);
    const { pid, runId } = warm.served!;
    await warm.start({ config }).result;
    assert.notEqual(warm.served!.pid, pid);
    assert.deepEqual([warm.served!.reused, warm.served!.fresh], [false, 'a test left 1 Timeout open']);
    assert.deepEqual(processesOfRun(runId!), []);
  });

  it('falls back to a fresh process after a test left a process running, and ends that process', async () => {
    const root = make({
      'test/spawn.test.ts': "import { spawn } from 'child_process';\ndescribe('spawn', () => { it('leaves a sleeper', () => { spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }).unref(); }); });\n",
    });
    const config = await loadConfig(root);
    await warm.start({ config }).result;
    const runId = warm.served!.runId!;
    await warm.start({ config }).result;
    assert.deepEqual([warm.served!.reused, warm.served!.fresh], [false, 'a test left 1 process(es) running']);
    assert.deepEqual(processesOfRun(runId), []);
  });

  it('falls back to a fresh process after process.exit() in a test', async () => {
    const root = make({ 'test/z-exit.test.ts': "describe('exit', () => { it('calls process.exit', () => { process.exit(3); }); });\n" });
    const config = await loadConfig(root);
    const first = await warm.start({ config }).result;
    assert.match(first.error!, /^process\.exit\(3\) was called in test "exit calls process\.exit"/);
    const pid = warm.served!.pid;
    const second = await warm.start({ config, files: [path.join(root, 'test', 'price.test.ts')] }).result;
    assert.equal(second.stats.passed, 2);
    assert.notEqual(warm.served!.pid, pid);
    assert.deepEqual([warm.served!.reused, warm.served!.fresh], [false, 'the test process exited (code 3)']);
  });

  it('falls back to a fresh process after the whole-run watchdog stopped a run', async () => {
    const root = make({ 'test/spin.test.ts': "describe('spin', () => { it('never ends', () => { for (;;) {} }); });\n" }, { runTimeout: 8000 });
    const config = await loadConfig(root);
    const first = await warm.start({ config }).result;
    assert.equal(first.timedOut, true);
    const pid = warm.served!.pid;
    const second = await warm.start({ config, files: [path.join(root, 'test', 'price.test.ts')] }).result;
    assert.equal(second.stats.passed, 2);
    assert.notEqual(warm.served!.pid, pid);
    assert.deepEqual([warm.served!.reused, warm.served!.fresh], [false, 'a run exceeded 8000 ms']);
  });

  it('falls back to a fresh process when a module the mocha setup loaded changed', async () => {
    const root = make(
      {
        'test/setup.ts': "import { strict as assert } from 'assert';\nexport const mochaHooks = { beforeEach() { assert.ok(true); } };\n",
      },
      { require: ['tsx/cjs', './test/setup.ts'] },
    );
    const config = await loadConfig(root);
    await warm.start({ config }).result;
    const pid = warm.served!.pid;
    const setup = path.join(root, 'test', 'setup.ts');
    fs.writeFileSync(setup, fs.readFileSync(setup, 'utf8').replace('assert.ok(true)', 'assert.ok(1)'));
    const second = await warm.start({ config }).result;
    assert.equal(second.stats.passed, 3);
    assert.notEqual(warm.served!.pid, pid);
    assert.deepEqual([warm.served!.reused, warm.served!.fresh], [false, `${setup} changed and was loaded by the mocha setup's require entries (it cannot be reloaded in place)`]);
  });

  it('runs ES-module sources in a fresh process every time (they cannot be unloaded)', async () => {
    const config = await loadConfig(path.join(REPO, 'test', 'fixtures', 'mocha-esm'));
    const first = await warm.start({ config }).result;
    assert.equal(first.error, undefined);
    assert.ok(first.stats.passed > 0);
    assert.deepEqual(warm.served, { reused: false, fresh: 'ES-module sources cannot be unloaded' });
    await warm.start({ config }).result;
    assert.deepEqual(warm.served, { reused: false, fresh: 'ES-module sources cannot be unloaded' });
  });

  it('leaves no process after dispose()', async () => {
    const root = make();
    const config = await loadConfig(root);
    await warm.start({ config }).result;
    const { runId, pid } = warm.served!;
    assert.ok(processesOfRun(runId!).includes(pid!), `the warm process is alive between runs: ${JSON.stringify([warm.served, processesOfRun(runId!)])}`);
    warm.dispose();
    assert.deepEqual(processesOfRun(runId!), []);
    const after = await warm.start({ config }).result;
    assert.equal(after.error, 'the run could not start: the warm runner was disposed');
  });

  it('the warm process does not outlive the process that owns the runner (killed with SIGKILL)', async () => {
    const root = make();
    const script = path.join(root, 'owner.ts');
    fs.writeFileSync(script, [
      `import { loadConfig } from ${JSON.stringify(path.join(REPO, 'src', 'coverage', 'index'))};`,
      `import { WarmRunner } from ${JSON.stringify(path.join(REPO, 'src', 'warm', 'warmRunner'))};`,
      'const warm = new WarmRunner();',
      `void loadConfig(${JSON.stringify(root)}).then((config) => warm.start({ config }).result).then(() => { console.log(warm.served!.runId); setInterval(() => undefined, 1000); });`,
      '',
    ].join('\n'));
    const owner = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const runId = await new Promise<string>((resolve) => owner.stdout.on('data', (d) => resolve(String(d).trim())));
    assert.ok(processesOfRun(runId).length > 0, 'the warm process is alive');
    owner.kill('SIGKILL');
    // The warm process notices (its IPC channel closes) and ends itself.
    for (let i = 0; i < 100 && processesOfRun(runId).length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesOfRun(runId), []);
  });
});
