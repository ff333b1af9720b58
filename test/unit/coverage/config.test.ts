import { strict as assert } from 'assert';
import * as path from 'path';
import { ConfigError, embeddedConfig, extensionRoot, loadConfig, NoSetupError, resolveConfig } from '../../../src/coverage/index';
import { fixture } from './helpers';

describe('coverage config', () => {
  it('reads governance-coverage.config.json with defaults filled in', async () => {
    const c = await loadConfig(fixture('runner'));
    assert.equal(c.source, path.join(fixture('runner'), 'governance-coverage.config.json'));
    assert.equal(c.embedded, false);
    assert.deepEqual(c.testGlobs, ['test/**/*.test.ts']);
    assert.equal(c.timeout, 300);
    assert.equal(c.runTimeout, 600000);
    assert.equal(c.reportDir, 'coverage');
    assert.deepEqual(c.targets, []);
    assert.equal(c.require.length, 1);
    assert.match(c.require[0], /node_modules[\\/]tsx[\\/]/);
  });

  it('reads the governanceCoverage key of package.json', async () => {
    const c = await loadConfig(fixture('pkg-config'));
    assert.equal(c.source, `${path.join(fixture('pkg-config'), 'package.json')}#governanceCoverage`);
    assert.deepEqual(c.sourceGlobs, ['lib/**/*.ts']);
    assert.deepEqual(c.targets, [{ glob: 'lib/**/*.ts', lines: 80 }]);
  });

  it('refuses a folder with no mocha setup and no config, listing the ways forward (never the embedded suite)', async () => {
    await assert.rejects(loadConfig(fixture('no-setup')), (err: unknown) => {
      assert.ok(err instanceof NoSetupError);
      assert.equal(err.root, fixture('no-setup'));
      assert.match(err.message, /^No mocha setup and no governance-coverage config in .*no-setup\. Ways forward:\n- add a \.mocharc\.json/);
      return true;
    });
  });

  it('uses the embedded governance suite when the root is this project, from the root\'s own files', async () => {
    const c = await loadConfig(extensionRoot());
    assert.deepEqual(c, embeddedConfig());
    assert.equal(c.root, extensionRoot());
    assert.deepEqual(c.testGlobs, ['test/governance/**/*.test.ts']);
    const service = c.targets.find((t) => t.glob === 'src/governance/proposalService.ts');
    assert.deepEqual(service, { glob: 'src/governance/proposalService.ts', lines: 95, branches: 90, functions: 95, statements: 95, mutation: 95 });
    assert.deepEqual(c.targets[0], { glob: 'src/governance/**/*.ts', lines: 90, branches: 80, mutation: 90 });
    assert.equal(c.targets.length, 6);
  });

  it('refuses a malformed config naming file, field and expectation', async () => {
    const file = path.join(fixture('bad-config'), 'governance-coverage.config.json');
    await assert.rejects(loadConfig(fixture('bad-config')), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [
        { file, field: 'colour', expected: 'one of the known fields (testGlobs, sourceGlobs, require, timeout, runTimeout, targets, hints, reportDir, equivalentMutants)', actual: 'boolean true' },
        { file, field: 'testGlobs', expected: 'a non-empty array of non-empty strings (globs relative to the root)', actual: '"test/*.test.ts"' },
        { file, field: 'timeout', expected: 'a positive number of milliseconds, at most 2147483647 (about 24.8 days: the longest timer Node.js keeps)', actual: 'number -5' },
        { file, field: 'targets[0].lines', expected: 'a percentage between 0 and 100', actual: 'number 150' },
      ]);
      assert.match(err.message, /governance-coverage\.config\.json: field "timeout" — expected a positive number of milliseconds, at most 2147483647 \(about 24\.8 days: the longest timer Node\.js keeps\), got number -5/);
      return true;
    });
  });

  it('refuses a config that is not JSON', async () => {
    const file = path.join(fixture('bad-json'), 'governance-coverage.config.json');
    await assert.rejects(loadConfig(fixture('bad-json')), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 1);
      assert.equal(err.problems[0].file, file);
      assert.equal(err.problems[0].field, '(file)');
      assert.equal(err.problems[0].expected, 'valid JSON');
      return true;
    });
  });

  it('validates settings-based overrides through resolveConfig', () => {
    assert.throws(() => resolveConfig('/w', { hints: [{ match: '', label: 'x' }] }, 'settings'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [{ file: 'settings', field: 'hints[0].match', expected: 'a qualified name, file path or glob', actual: '""' }]);
      return true;
    });
    const ok = resolveConfig('/w', { testGlobs: ['t/**/*.ts'], targets: [{ glob: 'src/**', branches: 70 }] }, 'settings');
    assert.deepEqual(ok.targets, [{ glob: 'src/**', branches: 70 }]);
    assert.equal(ok.root, path.resolve('/w'));
  });
});
