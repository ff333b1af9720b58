import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverTestFile, discoverTests, flattenNodes, testFileMatcher } from '../../src/coverage/discovery';
import { testId } from '../../src/coverage/model';

const root = path.resolve('/ws');
const file = path.join(root, 'test/governance/unit/a.test.ts');

const source = `
import { strict as assert } from 'assert';
describe('ProposalService', () => {
  beforeEach(() => {});
  it('creates a proposal', () => { assert.ok(true); });
  it.skip('skipped one', () => {});
  xit('pending one', () => {});
  context(\`when approved\`, function () {
    specify('executes', async () => {});
    it.only('only one', () => {});
  });
  xdescribe('disabled suite', () => {
    it('inner', () => {});
  });
  it(\`dynamic \${1 + 1}\`, () => {});
  for (const x of [1]) { it('in a loop', () => {}); }
});
suite('tdd', () => { test('a tdd test', () => {}); });
`;

describe('discoverTestFile', () => {
  it('builds file → suites → tests with runtime-compatible ids and 1-based ranges', () => {
    const node = discoverTestFile(file, source, root);
    assert.equal(node.kind, 'file');
    assert.equal(node.id, testId(file, []));
    assert.equal(node.label, 'test/governance/unit/a.test.ts');
    assert.equal(node.error, undefined);
    assert.deepEqual(
      node.children.map((c) => [c.kind, c.label]),
      [
        ['suite', 'ProposalService'],
        ['suite', 'tdd'],
      ],
    );
    const svc = node.children[0];
    assert.deepEqual(
      svc.children.map((c) => c.label),
      ['creates a proposal', 'skipped one', 'pending one', 'when approved', 'disabled suite', 'in a loop'],
    );
    const creates = svc.children[0];
    assert.equal(creates.id, testId(file, ['ProposalService', 'creates a proposal']));
    assert.deepEqual(creates.titlePath, ['ProposalService', 'creates a proposal']);
    assert.equal(creates.range?.start.line, 5);
    assert.equal(creates.range?.start.column, 2);
    assert.equal(node.children[1].children[0].id, testId(file, ['tdd', 'a tdd test']));
  });

  it('marks .skip, xit and everything inside xdescribe as skipped, but not .only', () => {
    const svc = discoverTestFile(file, source, root).children[0];
    const byLabel = new Map(flattenNodes([svc]).map((n) => [n.label, n]));
    assert.equal(byLabel.get('skipped one')?.skipped, true);
    assert.equal(byLabel.get('pending one')?.skipped, true);
    assert.equal(byLabel.get('disabled suite')?.skipped, true);
    assert.equal(byLabel.get('inner')?.skipped, true);
    assert.equal(byLabel.get('only one')?.skipped, undefined);
    assert.equal(byLabel.get('creates a proposal')?.skipped, undefined);
    assert.deepEqual(byLabel.get('executes')?.titlePath, ['ProposalService', 'when approved', 'executes']);
  });

  it('ignores titles built with substitutions (unknowable without running)', () => {
    const all = flattenNodes([discoverTestFile(file, source, root)]).map((n) => n.label);
    assert.ok(!all.some((l) => l.startsWith('dynamic')));
  });

  it('reports a syntax error on the file node with its line', () => {
    const node = discoverTestFile(file, "describe('x', () => {\n  it('y', () => {\n", root);
    assert.match(node.error ?? '', /^Syntax error at test\/governance\/unit\/a\.test\.ts:3:/);
    assert.equal(node.children[0].label, 'x');
  });

  it('merges duplicate suite titles into one node like mocha ids do', () => {
    const node = discoverTestFile(file, "describe('a', () => { it('1', () => {}); });\ndescribe('a', () => { it('2', () => {}); });", root);
    assert.equal(node.children.length, 1);
    assert.deepEqual(node.children[0].children.map((c) => c.label), ['1', '2']);
  });
});

describe('discoverTests / testFileMatcher', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disc-'));
    fs.mkdirSync(path.join(dir, 'test/governance/unit'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'test/governance/unit/b.test.ts'), "describe('B', () => { it('works', () => {}); });");
    fs.writeFileSync(path.join(dir, 'test/governance/unit/helper.ts'), "it('not a test file', () => {});");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds only files matching the globs and parses them', async () => {
    const nodes = await discoverTests(dir, ['test/governance/**/*.test.ts']);
    assert.deepEqual(nodes.map((n) => n.label), ['test/governance/unit/b.test.ts']);
    assert.equal(nodes[0].children[0].children[0].id, testId(path.join(dir, 'test/governance/unit/b.test.ts'), ['B', 'works']));
  });

  it('turns an unreadable file into an errored node instead of dropping it', async () => {
    const nodes = await discoverTests(dir, ['test/governance/**/*.test.ts'], async () => {
      throw new Error('EACCES');
    });
    assert.match(nodes[0].error ?? '', /Cannot read .*EACCES/);
  });

  it('matches absolute paths against root-relative globs', () => {
    const match = testFileMatcher(dir, ['test/governance/**/*.test.ts']);
    assert.equal(match(path.join(dir, 'test/governance/unit/b.test.ts')), true);
    assert.equal(match(path.join(dir, 'test/governance/unit/helper.ts')), false);
    assert.equal(match(path.join(dir, '..', 'test/governance/unit/b.test.ts')), false);
  });
});
