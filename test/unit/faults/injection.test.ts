/**
 * Fault suite, issue 11 "Command injection" and "Stored XSS": workspace file names reach the
 * plan's Verify command and the HTML report as data, never as code or markup.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { assertNoLeftovers, CLI, runCli, scenario } from './harness';

describe('faults: injection through file names', function () {
  this.timeout(400_000);

  it('the Verify line of a file named src/$(touch PWN).ts runs no command substitution, and verifies that file', async () => {
    const name = 'src/$(touch PWN).ts';
    const dir = scenario('hostile-name', { 'src/hostile.ts': name });
    // The plan names the CLI only where the project has it as a dependency (issue 9).
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hostile', devDependencies: { 'governance-coverage': '*' } }));
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 1, 'below target: one branch of half() is untested');
    await assertNoLeftovers(r);
    const plan = fs.readFileSync(path.join(dir, 'coverage', 'gap-closure-plan.md'), 'utf8');
    const verify = /^- \*\*Verify:\*\* (`+) (.*) \1$|^- \*\*Verify:\*\* `(.*)`$/m.exec(plan);
    assert.ok(verify, plan);
    const command = verify[2] ?? verify[3];
    // Run the line as a user would, with `npx governance-coverage` resolving to this build.
    const bin = fs.mkdtempSync(path.join(dir, '.bin-'));
    fs.writeFileSync(path.join(bin, 'npx'), `#!/bin/sh\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    const sh = spawnSync('sh', ['-c', command], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    assert.equal(fs.existsSync(path.join(dir, 'PWN')), false, `the Verify line ran a command hidden in the file name:\n${command}`);
    assert.equal(sh.status, 1, `the Verify line reports the file below target:\n${command}\n${sh.stderr}`);
  });

  it('the HTML report escapes a file named src/x<svg onload=alert(3)>.ts in its per-file heading', async () => {
    const dir = scenario('hostile-name', { 'src/hostile.ts': 'src/x<svg onload=alert(3)>.ts' });
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 1);
    await assertNoLeftovers(r);
    const page = path.join(dir, 'coverage', 'x<svg onload=alert(3)>.ts.html');
    const html = fs.readFileSync(page, 'utf8');
    assert.doesNotMatch(html, /<svg/i, 'markup from the file name reached the page');
    const heading = /<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '';
    assert.match(heading, /<a href="index\.html">All files<\/a> x&lt;svg onload=alert\(3\)&gt;\.ts\s*$/);
  });
});
