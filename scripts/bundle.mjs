#!/usr/bin/env node
/**
 * Builds `dist/`, the one runtime folder of both packages (the .vsix and the npm package), with
 * esbuild (CommonJS, Node 20, minified, no source maps shipped):
 *
 * | file | what | loaded by |
 * | --- | --- | --- |
 * | extension.js | src/extension.ts + the engine; `vscode` external | VS Code's extension host |
 * | cli.js | src/cli.ts + the engine (`bin`: governance-coverage) | node |
 * | child.js | the test child (src/coverage/child.ts) | runner.ts, `fork` |
 * | warmChild.js | the warm test child, kept between continuous runs (src/warm/warmChild.ts) | src/warm/warmRunner.ts |
 * | mochaOptionsChild.js | reads a project's mocha options with mocha's loadOptions | mochaSetup.ts, `execFile` |
 * | mocha/ | mocha, bundled, in the shape of its package (the engine drives a mocha folder) | projects without mocha |
 * | worker.js, progressPlugin.cjs | the mutation worker and StrykerJS reporter plugin (StrykerJS itself comes from the project) | src/mutation |
 * | tsLoader.js | TypeScript require hook, no native binary (src/coverage/tsLoader.ts) | the child |
 * | typescript.js | the TypeScript compiler, shared by the three bundles above that use it | them |
 * | embeddedModules.js | resolves sql.js / fast-check for the embedded suite | the child |
 * | vendor/sql-wasm.js, sql-wasm.wasm | sql.js's WebAssembly build, as published (the only variant used) | the embedded suite |
 * | vendor/fast-check.js | fast-check, bundled (the embedded suite's property tests) | the embedded suite |
 * | assets/ | istanbul-reports' HTML assets (read from disk next to the code) | reports.ts |
 * | embedded/ | the governance suite's TypeScript (src/governance, test/governance) | the child |
 *
 * In the packages the istanbul engine (the benchmark's comparison, child.ts) is unavailable:
 * istanbul-lib-instrument/-source-maps are left external and resolve only in the repository.
 * Nothing else from node_modules goes into the packages. The child still resolves mocha and the
 * TypeScript loader from the project root first (a project's own mocha/loader wins, child.ts,
 * loaders.ts); the bundled ones are the fallback.
 *
 * Usage: node scripts/bundle.mjs [--sourcemap]   (npm run bundle; npm run package also packs)
 */
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(path.join(root, 'package.json'));
const sourcemap = process.argv.includes('--sourcemap');

/**
 * istanbul-reports picks a report with `require(path.join(__dirname, 'lib', name))`, which a
 * bundle cannot follow: give it the four reports reports.ts writes, statically.
 */
const istanbulReports = {
  name: 'istanbul-reports-static',
  setup(build) {
    build.onResolve({ filter: /^istanbul-reports$/ }, () => ({ path: 'istanbul-reports', namespace: 'govcov' }));
    build.onLoad({ filter: /^istanbul-reports$/, namespace: 'govcov' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: `const reports = {
        lcovonly: require('istanbul-reports/lib/lcovonly'),
        json: require('istanbul-reports/lib/json'),
        'json-summary': require('istanbul-reports/lib/json-summary'),
        html: require('istanbul-reports/lib/html'),
      };
      module.exports = { create(name, cfg) {
        const Report = reports[name];
        if (!Report) throw new Error('report ' + name + ' is not bundled (scripts/bundle.mjs)');
        return new Report(cfg || {});
      } };`,
    }));
  },
};

/**
 * The TypeScript compiler (≈ 3 MB minified) is needed by the engine (ast.ts, in extension.js and
 * cli.js) and by our loader (tsLoader.js, in the child): one shared dist/typescript.js, which
 * every bundle requires by a relative path.
 */
const sharedTypescript = {
  name: 'shared-typescript',
  setup(build) {
    // Loaded on first use, not with the bundle: the extension's activation does not wait for the
    // compiler (≈ half of its load time), discovery loads it a moment later. Each export is a
    // getter onto the real module (esbuild's import interop copies getters, it reads no value).
    build.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'lazy-typescript' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-typescript' }, () => ({
      loader: 'js',
      resolveDir: dist,
      contents: `let ts;
        const load = () => ts || (ts = require('./typescript.js'));
        for (const name of ${JSON.stringify(Object.keys(require('typescript')))}) {
          Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
        }`,
    }));
    build.onResolve({ filter: /^\.\/typescript\.js$/, namespace: 'lazy-typescript' }, () => ({ path: './typescript.js', external: true }));
  },
};

/**
 * The static maps (src/coverage/staticMap.ts) run istanbul-lib-instrument's program visitor, which
 * takes only `template` from @babel/core: give it @babel/template (what @babel/core re-exports)
 * instead of all of @babel/core and its transform plugins (≈ 1.3 MB minified per bundle).
 */
const babelTemplateOnly = {
  name: 'babel-template-only',
  setup(build) {
    build.onResolve({ filter: /^@babel\/core$/ }, (args) =>
      /istanbul-lib-instrument[\\/]src[\\/]visitor\.js$/.test(args.importer) ? { path: '@babel/core', namespace: 'babel-template-only' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'babel-template-only' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: `exports.template = require('@babel/template').default;`,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true, // stack traces and the hints name our functions
  sourcemap: sourcemap ? 'linked' : false,
  legalComments: 'none',
  logLevel: 'warning',
  // mocha's parallel mode (require.resolve of its worker files) is never used: we run mocha serially in the child.
  logOverride: { 'require-resolve-not-external': 'silent' },
  define: { __GOVCOV_BUNDLED__: 'true' },
  plugins: [istanbulReports, sharedTypescript, babelTemplateOnly],
  absWorkingDir: root,
};

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** Git-tracked files under `dirs` matching `re` (untracked scratch files of a session stay out). */
function tracked(dirs, re) {
  const out = execFileSync('git', ['ls-files', '-z', '--', ...dirs], { cwd: root, encoding: 'utf8' });
  return out.split('\0').filter((f) => f && re.test(f) && fs.existsSync(path.join(root, f)));
}

/** The lib modules of mocha the engine requires by path from a mocha folder (childMocha.ts, mochaOptionsChild.ts). */
const MOCHA_LIB = ['nodejs/esm-utils', 'plugin-loader', 'cli/options', 'cli/node-flags', 'cli/config'];

/**
 * dist/mocha: our mocha for projects without one, shaped like the package (the engine drives "a
 * mocha folder", the project's or ours): package.json, index.js (mocha and the lib modules above,
 * one bundle, one instance) and lib/<module>.js files re-exporting from it.
 */
async function bundleMocha() {
  const dir = path.join(dist, 'mocha');
  const contents = `const Mocha = require('mocha');
    Object.defineProperty(Mocha, '__govcovLib', { value: { ${MOCHA_LIB.map((m) => `'${m}': require('mocha/lib/${m}')`).join(', ')} } });
    module.exports = Mocha;`;
  await esbuild.build({ ...common, plugins: [], define: {}, stdin: { contents, resolveDir: root, loader: 'js' }, outfile: path.join(dir, 'index.js') });
  for (const m of MOCHA_LIB) {
    const file = path.join(dir, 'lib', `${m}.js`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const index = path.relative(path.dirname(file), path.join(dir, 'index.js')).split(path.sep).join('/');
    fs.writeFileSync(file, `module.exports = require('./${index}').__govcovLib['${m}'];\n`);
  }
  const { version } = JSON.parse(fs.readFileSync(require.resolve('mocha/package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'mocha', version, main: 'index.js', license: 'MIT', description: 'mocha, bundled by governance-coverage (scripts/bundle.mjs)' }, null, 2)}\n`);
}

export async function bundle() {
  fs.rmSync(dist, { recursive: true, force: true });
  const entries = [
    ['src/extension.ts', 'extension.js', ['vscode']],
    ['src/cli.ts', 'cli.js', []],
    // The istanbul engine is the benchmark's comparison only (bench/, from the repository): its
    // instrumenter (@babel/core, ~2 MB) stays out of the packages.
    ['src/coverage/child.ts', 'child.js', ['istanbul-lib-instrument', 'istanbul-lib-source-maps']],
    ['src/warm/warmChild.ts', 'warmChild.js', []],
    ['src/coverage/tsLoader.ts', 'tsLoader.js', []],
    ['src/coverage/mochaOptionsChild.ts', 'mochaOptionsChild.js', []],
    // StrykerJS is never bundled: the worker resolves it from the project (an optional peer dependency).
    ['src/mutation/worker.ts', 'worker.js', ['@stryker-mutator/*']],
    ['src/coverage/embeddedModules.ts', 'embeddedModules.js', []],
  ];
  await Promise.all(entries.map(([entry, out, external]) =>
    esbuild.build({ ...common, entryPoints: [path.join(root, entry)], outfile: path.join(dist, out), external })));
  await esbuild.build({ ...common, plugins: [], keepNames: false, entryPoints: [require.resolve('typescript')], outfile: path.join(dist, 'typescript.js') });
  // fast-check for the embedded suite's property tests: one file, its own exports.
  await esbuild.build({ ...common, plugins: [], define: {}, keepNames: false, entryPoints: [require.resolve('fast-check')], outfile: path.join(dist, 'vendor', 'fast-check.js') });
  await bundleMocha();
  copy(path.join(root, 'src', 'mutation', 'progressPlugin.cjs'), path.join(dist, 'progressPlugin.cjs'));
  const sqlDist = path.dirname(require.resolve('sql.js/dist/sql-wasm.js'));
  copy(path.join(sqlDist, 'sql-wasm.js'), path.join(dist, 'vendor', 'sql-wasm.js'));
  copy(path.join(sqlDist, 'sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));
  const assets = path.join(path.dirname(require.resolve('istanbul-reports/lib/html')), 'assets');
  fs.cpSync(assets, path.join(dist, 'assets'), { recursive: true });
  for (const f of tracked(['src/governance', 'test/governance'], /\.ts$/)) copy(path.join(root, f), path.join(dist, 'embedded', f));
  return dist;
}

/** Files and bytes under a folder. */
export function measure(dir) {
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  }
  return { files, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await bundle();
  const { files, bytes } = measure(dist);
  console.log(`dist/: ${files} files, ${(bytes / 1024 / 1024).toFixed(2)} MB (${Date.now() - t0} ms)`);
}
