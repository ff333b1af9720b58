/**
 * The pure parts of "any mocha project" (spec → globs, npm scripts → mocha argv), the runtime
 * choice (`--node`, too old, missing), and coverage made elsewhere: c8's lcov, Cobertura and
 * istanbul JSON reports read by `report --from` into the same table.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mochaArgsOf, mochaScript, shellWords, specToGlobs } from '../../../src/coverage/mochaSetup';
import { MIN_NODE, resolveNode, RuntimeError, versionAtLeast } from '../../../src/coverage/runtime';
import { parseCobertura, parseLcov } from '../../../src/coverage/importReport';
import { fixture } from './helpers';
import { cliArgs } from '../cliArgs';

const repo = path.resolve(__dirname, '..', '..', '..');
const runCli = (...args: string[]) => spawnSync(process.execPath, [...cliArgs(), ...args], { encoding: 'utf8', cwd: repo });

describe('mocha setup: spec, scripts', () => {
  it('reads mocha spec as globs the way mocha looks files up', () => {
    const root = fixture('mocha-ts-import');
    assert.deepEqual(specToGlobs(root, ['test'], ['ts'], true), ['test/**/*.ts']);
    assert.deepEqual(specToGlobs(root, ['./test/'], ['js', 'cjs'], false), ['test/*.{js,cjs}']);
    assert.deepEqual(specToGlobs(root, ['test/stack.test.ts'], ['js'], false), ['test/stack.test.ts']);
    assert.deepEqual(specToGlobs(root, ['spec/**/*.spec.js'], ['js'], false), ['spec/**/*.spec.js']);
    assert.deepEqual(specToGlobs(root, [path.join(root, 'test', 'nested')], ['.ts'], false), ['test/nested/*.ts']);
    assert.deepEqual(specToGlobs(root, ['test/missing'], ['js', 'mjs'], false), ['test/missing.{js,mjs}']);
  });

  it('finds the mocha command of an npm script and its arguments, quotes and wrappers included', () => {
    assert.deepEqual(shellWords(`c8 mocha --require 'ts-node/register' "test/**/*.ts" && echo ok`), ['c8', 'mocha', '--require', 'ts-node/register', 'test/**/*.ts', '&&', 'echo', 'ok']);
    assert.deepEqual(mochaArgsOf('npm run build && mocha -r esm --timeout 5000; echo done'), ['-r', 'esm', '--timeout', '5000']);
    assert.deepEqual(mochaArgsOf('NODE_ENV=test ./node_modules/.bin/_mocha test/unit'), ['test/unit']);
    assert.equal(mochaArgsOf('jest --ci'), undefined);
    assert.deepEqual(mochaScript({ scripts: { lint: 'eslint .', 'test:unit': 'mocha a', test: 'npm run test:unit' } }), { name: 'test:unit', argv: ['a'] });
    assert.deepEqual(mochaScript({ scripts: { test: 'nyc mocha --recursive' } }), { name: 'test', argv: ['--recursive'] });
    assert.equal(mochaScript({ scripts: { test: 'vitest' } }), undefined);
  });
});

describe('runtime: the Node.js that runs the tests', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-node-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compares versions', () => {
    assert.equal(MIN_NODE, '18.19.0');
    assert.deepEqual([versionAtLeast('20.19.0', '18.19.0'), versionAtLeast('18.19.0', '18.19.0'), versionAtLeast('18.18.2', '18.19.0'), versionAtLeast('9.0.0', '18.19.0')], [true, true, false, false]);
  });

  it('defaults to a Node.js at least MIN_NODE; a requested one that is missing or too old is refused with what to do', async () => {
    const def = await resolveNode();
    assert.ok(versionAtLeast(def.version, '18.19.0'), def.version);
    await assert.rejects(resolveNode(path.join(dir, 'no-such-node')), (err: unknown) => {
      assert.ok(err instanceof RuntimeError);
      assert.match(err.message, /^Cannot run the Node\.js ".*no-such-node"\. Set governanceCoverage\.nodePath \(editor\) or --node \(CLI\)/);
      return true;
    });
    const old = path.join(dir, 'node16');
    fs.writeFileSync(old, '#!/bin/sh\necho 16.20.2\n', { mode: 0o755 });
    await assert.rejects(resolveNode(old), /^RuntimeError: Node\.js 16\.20\.2 \(".*node16"\) is too old: the tests need Node\.js 18\.19\.0 or newer/);
    const r = runCli('run', '--root', fixture('mocha-cjs'), '--node', old);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Node\.js 16\.20\.2 .* is too old/);
  });

  it('runs the tests with the Node.js given by --node', () => {
    const r = runCli('run', '--root', fixture('mocha-tdd'), '--node', process.execPath, '--hints', '0');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 passed, 0 failed\n$/);
  });
});

describe('coverage made elsewhere: report --from', function () {
  this.timeout(120_000);
  let out: string;
  const root = fixture('mocha-cjs');
  before(() => {
    // c8 (the reference) measures the fixture and writes the three formats.
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-c8-'));
    const c8 = require.resolve('c8/bin/c8.js');
    const mocha = require.resolve('mocha/bin/mocha.js');
    const r = spawnSync(process.execPath, [c8, '--reports-dir', out, '--reporter=lcovonly', '--reporter=cobertura', '--reporter=json', '--include', 'lib/**', process.execPath, mocha], { cwd: root, encoding: 'utf8' });
    assert.ok(fs.existsSync(path.join(out, 'lcov.info')), r.stderr);
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  for (const [name, file] of [['lcov', 'lcov.info'], ['Cobertura', 'cobertura-coverage.xml'], ['istanbul JSON', 'coverage-final.json']]) {
    it(`shows the table of c8's ${name} report (lines 85.71% as c8 printed), running nothing`, () => {
      const r = runCli('report', '--from', path.join(out, file), '--root', root, '--json');
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.files.map((f: { file: string }) => f.file), ['lib/calc.js']);
      const lines = doc.files[0].figures.lines;
      assert.deepEqual([lines.covered, lines.total], [12, 14]);
      assert.deepEqual(doc.files[0].gaps.map((g: { qualifiedName: string; uncoveredRanges: unknown }) => [g.qualifiedName, g.uncoveredRanges]), [['divide', [{ startLine: 9, endLine: 10 }]]]);
      assert.equal(doc.summary.total, 0);
    });
  }

  it('text mode: table, hints and where the coverage came from; an unknown file format is refused', () => {
    const r = runCli('report', '--from', path.join(out, 'lcov.info'), '--root', root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^File +Lines +Branches/);
    assert.match(r.stdout, /lib\/calc\.js +85\.7%/);
    assert.match(r.stdout, /Coverage from .*lcov\.info: 1 file\(s\), no tests run\n$/);
    const bad = path.join(out, 'notes.txt');
    fs.writeFileSync(bad, 'hello');
    const refused = runCli('report', '--from', bad, '--root', root);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /notes\.txt is not an lcov tracefile, a coverage-final\.json or a Cobertura XML report/);
    const missing = runCli('report', '--root', root);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /report needs --from REPORT/);
  });

  it('parses lcov and Cobertura records: lines, functions and branch counts', () => {
    const lcov = parseLcov('SF:a.js\nFN:1,f\nFNDA:0,f\nDA:1,1\nDA:2,0\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nend_of_record\n', '/r');
    assert.deepEqual(lcov['/r/a.js'].s, { 0: 1, 1: 0 });
    assert.deepEqual(lcov['/r/a.js'].f, { 0: 0 });
    assert.deepEqual(lcov['/r/a.js'].b, { 0: [1, 0] });
    const xml = '<coverage><sources><source>/r</source></sources><packages><package><classes><class filename="b.js"><methods><method name="g"><lines><line number="3" hits="2"/></lines></method></methods><lines><line number="3" hits="2"/><line number="4" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>';
    const cob = parseCobertura(xml, '/elsewhere');
    assert.deepEqual(cob['/r/b.js'].s, { 0: 2, 1: 0 });
    assert.deepEqual(cob['/r/b.js'].f, { 0: 2 });
    assert.deepEqual(cob['/r/b.js'].b, { 0: [1, 0] });
  });
});
