import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as config from '../../../src/coverage/config';
import * as coverage from '../../../src/coverage/index';
import { chooseConfig, isConfigError, type Engine } from '../../../src/editor/engine';

/** The engine's real config functions; running is not part of these tests. */
const engine: Engine = {
  loadConfig: config.loadConfig,
  resolveConfig: config.resolveConfig,
  embeddedConfig: config.embeddedConfig,
  findRoots: coverage.findRoots,
  resolveNode: coverage.resolveNode,
  readCoverageReport: coverage.readCoverageReport,
  reportResult: coverage.reportResult,
  renderTable: coverage.renderTable,
  startRun: () => { throw new Error('not used'); },
  analyze: () => { throw new Error('not used'); },
  writeReports: () => { throw new Error('not used'); },
  renderPlan: () => { throw new Error('not used'); },
};

describe('editor/engine: choosing the config', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'choose-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never runs the embedded governance suite in a folder with nothing to run: no config, the ways forward instead', async () => {
    const { config: c, notes, noSetup } = await chooseConfig(engine, dir, {});
    assert.equal(c, undefined);
    assert.deepEqual(notes, []);
    assert.match(noSetup ?? '', /^No mocha setup and no governance-coverage config in .*choose-.*\. Ways forward:\n- add a \.mocharc\.json/);
    assert.match(noSetup ?? '', /Governance: Open the governance demo/);
  });

  it('uses the embedded suite from the workspace\'s own files when the folder is this project', async () => {
    const { config: c } = await chooseConfig(engine, config.extensionRoot(), {});
    assert.equal(c?.embedded, true);
    assert.equal(c?.root, config.extensionRoot());
    assert.deepEqual(c?.testGlobs, ['test/governance/**/*.test.ts']);
  });

  it('follows the folder\'s .mocharc.json, with the settings on top', async () => {
    fs.writeFileSync(path.join(dir, '.mocharc.json'), JSON.stringify({ spec: 'spec/**/*.spec.js', timeout: 1234, ui: 'tdd' }));
    const plain = (await chooseConfig(engine, dir, {})).config;
    assert.deepEqual([plain?.testGlobs, plain?.timeout, plain?.mocha.ui, plain?.source], [['spec/**/*.spec.js'], 1234, 'tdd', '.mocharc.json']);
    const withSettings = (await chooseConfig(engine, dir, { targets: [{ glob: 'lib/**', lines: 70 }] })).config;
    assert.deepEqual([withSettings?.testGlobs, withSettings?.targets, withSettings?.mocha.ui], [['spec/**/*.spec.js'], [{ glob: 'lib/**', lines: 70 }], 'tdd']);
  });

  it('builds the config from explicit governanceCoverage.* settings', async () => {
    const { config: c } = await chooseConfig(engine, dir, { testGlobs: ['spec/**/*.spec.ts'], targets: [{ glob: 'lib/**', lines: 70 }], timeout: 500 });
    assert.equal(c?.embedded, false);
    assert.equal(c?.root, fs.realpathSync(dir));
    assert.equal(c?.source, 'settings (governanceCoverage.*)');
    assert.deepEqual(c?.testGlobs, ['spec/**/*.spec.ts']);
    assert.deepEqual(c?.targets, [{ glob: 'lib/**', lines: 70 }]);
    assert.equal(c?.timeout, 500);
  });

  it('lets a workspace config file win over settings and says so', async () => {
    fs.writeFileSync(path.join(dir, 'governance-coverage.config.json'), JSON.stringify({ testGlobs: ['t/**/*.test.ts'] }));
    const { config: c, notes } = await chooseConfig(engine, dir, { testGlobs: ['ignored/**'] });
    assert.deepEqual(c?.testGlobs, ['t/**/*.test.ts']);
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
