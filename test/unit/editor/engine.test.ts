import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as config from '../../../src/coverage/config';
import { chooseConfig, isConfigError, type Engine } from '../../../src/editor/engine';

/** The engine's real config functions; running is not part of these tests. */
const engine: Engine = {
  loadConfig: config.loadConfig,
  resolveConfig: config.resolveConfig,
  embeddedConfig: config.embeddedConfig,
  startRun: () => { throw new Error('not used'); },
  analyze: () => { throw new Error('not used'); },
  writeReports: () => { throw new Error('not used'); },
  renderPlan: () => { throw new Error('not used'); },
};

describe('editor/engine: choosing the config', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'choose-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses the embedded governance suite with no config file and no settings', async () => {
    const { config: c, notes } = await chooseConfig(engine, dir, {});
    assert.equal(c.embedded, true);
    assert.deepEqual(c.testGlobs, ['test/governance/**/*.test.ts']);
    assert.deepEqual(notes, []);
  });

  it('uses the embedded suite (with a note) when no folder is open', async () => {
    const { config: c, notes } = await chooseConfig(engine, undefined, { testGlobs: ['x/**'] });
    assert.equal(c.embedded, true);
    assert.match(notes[0], /No folder is open/);
  });

  it('builds the config from explicit governanceCoverage.* settings', async () => {
    const { config: c } = await chooseConfig(engine, dir, { testGlobs: ['spec/**/*.spec.ts'], targets: [{ glob: 'lib/**', lines: 70 }], timeout: 500 });
    assert.equal(c.embedded, false);
    assert.equal(c.root, path.resolve(dir));
    assert.equal(c.source, 'settings (governanceCoverage.*)');
    assert.deepEqual(c.testGlobs, ['spec/**/*.spec.ts']);
    assert.deepEqual(c.targets, [{ glob: 'lib/**', lines: 70 }]);
    assert.equal(c.timeout, 500);
  });

  it('lets a workspace config file win over settings and says so', async () => {
    fs.writeFileSync(path.join(dir, 'governance-coverage.config.json'), JSON.stringify({ testGlobs: ['t/**/*.test.ts'] }));
    const { config: c, notes } = await chooseConfig(engine, dir, { testGlobs: ['ignored/**'] });
    assert.deepEqual(c.testGlobs, ['t/**/*.test.ts']);
    assert.match(notes[0], /settings are ignored because .*governance-coverage\.config\.json/);
  });

  it('surfaces invalid settings as the engine ConfigError with problems', async () => {
    await assert.rejects(chooseConfig(engine, dir, { targets: [{ glob: 'a', lines: 150 }] }), (err: unknown) => {
      assert.ok(isConfigError(err));
      assert.equal(err.problems[0].field, 'targets[0].lines');
      return true;
    });
    assert.equal(isConfigError(new Error('plain')), false);
  });
});
