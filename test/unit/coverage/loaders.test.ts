/**
 * Which TypeScript loader a project's tests get and whether the project has the CLI
 * (src/coverage/loaders.ts), on throwaway projects; and the plan's Verify line that follows from
 * it (reports.ts): the CLI command for a project that has the CLI, the editor command otherwise.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultTsLoader, projectHasCli, PROJECT_LOADERS } from '../../../src/coverage/loaders';
import { renderPlan } from '../../../src/coverage/reports';
import type { Analysis, ResolvedConfig } from '../../../src/coverage/model';

function project(pkg: object | undefined, installed: string[] = []): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-loaders-')));
  if (pkg) fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify(pkg));
  for (const name of installed) {
    const dir = path.join(root, 'node_modules', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
    fs.writeFileSync(path.join(dir, 'index.js'), '');
  }
  return root;
}

describe('loaders: the project\'s TypeScript loader, else ours; does the project have the CLI', () => {
  const made: string[] = [];
  const make = (pkg: object | undefined, installed: string[] = []) => {
    const root = project(pkg, installed);
    made.push(root);
    return root;
  };
  after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('uses the project\'s own loader when it declares and installed one', () => {
    assert.deepEqual(defaultTsLoader(make({ devDependencies: { 'ts-node': '^10' } }, ['ts-node'])), { module: 'ts-node/register', source: 'project' });
    assert.deepEqual(defaultTsLoader(make({ dependencies: { '@babel/register': '^7' } }, ['@babel/register'])), { module: '@babel/register', source: 'project' });
    // tsx wins over ts-node when both are there (the order of PROJECT_LOADERS).
    assert.deepEqual(defaultTsLoader(make({ devDependencies: { 'ts-node': '^10', tsx: '^4' } }, ['ts-node', 'tsx'])), { module: 'tsx/cjs', source: 'project' });
    assert.deepEqual(PROJECT_LOADERS.map(([name]) => name), ['tsx', 'ts-node', '@swc-node/register', '@swc/register', '@babel/register', 'sucrase']);
  });

  it('falls back to our hook when the loader is declared but not installed, or not declared', () => {
    const declaredOnly = defaultTsLoader(make({ devDependencies: { tsx: '^4' } }));
    assert.equal(declaredOnly.source, 'bundled');
    const none = defaultTsLoader(make({ devDependencies: { mocha: '^11' } }, ['mocha']));
    assert.equal(none.source, 'bundled');
    // From the compiled build our hook is the compiled tsLoader.js; from the sources, tsx.
    assert.match(none.module, /[\\/](tsLoader\.js|tsx[\\/]dist[\\/]cjs[\\/]index\.cjs)$/);
  });

  it('has the CLI when package.json declares governance-coverage; not otherwise', () => {
    assert.equal(projectHasCli(make({ devDependencies: { 'governance-coverage': '^0.1.0' } })), true);
    assert.equal(projectHasCli(make({ dependencies: { 'governance-coverage': 'file:../gc.tgz' } })), true);
    assert.equal(projectHasCli(make({ devDependencies: { mocha: '^11' } })), false);
    assert.equal(projectHasCli(make(undefined)), false);
  });

  it('the plan\'s Verify line names the CLI when the project has it, the editor command otherwise', () => {
    const pct = (n: number) => ({ total: 2, covered: n, pct: n * 50 });
    const file = { relative: 'src/sign.ts', target: { lines: 100 }, figures: { lines: pct(1), branches: pct(2), functions: pct(2), statements: pct(1) }, meetsTarget: false, needed: { lines: 1, branches: 0, functions: 0, statements: 0 }, gaps: [], failing: ['lines'] };
    const analysis = { files: [file], totals: {}, allTargetsMet: false } as unknown as Analysis;
    const config = (root: string) => ({ root, source: path.join(root, 'governance-coverage.config.json'), embedded: false, reportDir: 'coverage' }) as unknown as ResolvedConfig;
    const withCli = renderPlan(analysis, config(make({ devDependencies: { 'governance-coverage': '^0.1.0' } })));
    assert.ok(withCli.includes("- **Verify:** `npx governance-coverage run --config 'governance-coverage.config.json' --json | node -e "), withCli);
    assert.ok(withCli.includes(" 'src/sign.ts'`"), withCli);
    const editorOnly = renderPlan(analysis, config(make({ devDependencies: { mocha: '^11' } })));
    assert.ok(editorOnly.includes('- **Verify:** in VS Code, run **Governance: Run governance tests with coverage**; the hover on src/sign.ts and the status bar show lines ≥ 100% met'), editorOnly);
    assert.ok(!editorOnly.includes('npx governance-coverage'), editorOnly);
  });
});
