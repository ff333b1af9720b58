/**
 * The tree converges on the disk even when the file watcher reports nothing (events lost or
 * late under load). The offline harness starts the host with `.tmp/editor-unwatched/` in
 * `files.watcherExclude` (user settings, so every watcher of the session excludes it from the
 * start), so only the extension's reconciler (paced stat of the test globs) can bring changes
 * there into the tree; `treeReconciled` counts the files it found, proving which path did the
 * work. Declared only in a host started that way (a runtime settings change would not silence
 * watchers created before it), like the trust split in helpers.ts.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activated, describeIf, state, trusted, untilTree, workspaceRoot } from './helpers';

const SEP = '\u001f';
type Reconciled = { treeReconciled: number };

/** The folder the offline harness excludes from watching (test/editor/offline/codeServer.ts). */
export const UNWATCHED = '.tmp/editor-unwatched';
const unwatchedAtStartup = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('watcherExclude')?.[`**/${UNWATCHED}/**`] === true;

describeIf(trusted && unwatchedAtStartup, 'Test Explorer with a silent file watcher (reconciled with the disk)', function () {
  const rel = `${UNWATCHED}/${process.pid}`;
  let dir: string;
  const governance = () => vscode.workspace.getConfiguration('governanceCoverage');

  before(async () => {
    await activated();
    dir = path.join(workspaceRoot(), rel);
    fs.mkdirSync(dir, { recursive: true });
    await governance().update('testGlobs', [`${rel}/**/*.test.ts`, 'test/governance/**/*.test.ts'], vscode.ConfigurationTarget.Global);
    await untilTree((s) => !!s.config?.testGlobs.includes(`${rel}/**/*.test.ts`) && s.treeReady);
  });

  after(async () => {
    await governance().update('testGlobs', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(dir, { recursive: true, force: true });
    await untilTree((s) => !!s.config?.embedded);
  });

  it('adds, updates and drops a test file that no watcher event announced', async () => {
    const file = path.join(dir, 'silent.test.ts');
    const id = (t: string) => `${file}${SEP}silent${SEP}${t}`;
    const start = ((await state()) as unknown as Reconciled).treeReconciled;

    const t0 = Date.now();
    fs.writeFileSync(file, "describe('silent', () => { it('one', () => {}); });\n");
    const added = await untilTree((s) => s.testIds.includes(id('one')));
    const count = (added as unknown as Reconciled).treeReconciled;
    assert.ok(count > start, `the reconciler, not the watcher, added it (reconciled ${start} → ${count} after ${Date.now() - t0} ms)`);

    fs.writeFileSync(file, "describe('silent', () => { it('two', () => {}); it('three', () => {}); });\n");
    const changed = await untilTree((s) => s.testIds.includes(id('two')) && !s.testIds.includes(id('one')));
    assert.ok(changed.testIds.includes(id('three')));

    fs.rmSync(file);
    const removed = await untilTree((s) => !s.testIds.some((t) => t.startsWith(file)));
    assert.ok((removed as unknown as Reconciled).treeReconciled >= start + 3, 'create, change and delete all came from the reconciler');
    assert.ok(removed.tree.length > 0, 'the rest of the tree is intact');
  });
});
