/**
 * Where the runtime files are, which TypeScript loader a project's tests get, and whether a
 * project has the `governance-coverage` CLI.
 *
 * Layout: the .vsix and the npm package ship one folder, `dist/` (scripts/bundle.mjs): the
 * esbuild bundles (extension.js, cli.js, child.js, tsLoader.js, embeddedModules.js), the one
 * sql.js build the governance demo loads (vendor/sql-wasm.js + sql-wasm.wasm), fast-check
 * bundled for the demo's property tests (vendor/fast-check.js), istanbul's HTML report assets
 * (assets/) and the embedded governance suite's TypeScript (embedded/). In a bundle every
 * module's `__dirname` is `dist/`; from the tsc build (`out/`, the repository's own tests) the
 * runtime files are the compiled modules next to this one and the suite is the repository's.
 *
 * TypeScript loader, in this order: the `require` of the project's config; the project's own
 * loader, declared in the devDependencies/dependencies of its nearest package.json and installed (tsx, ts-node, @babel/register,
 * @swc-node/register, @swc/register, sucrase); otherwise our bundled transpile hook (tsLoader.ts, typescript's transpileModule),
 * which needs no native binary.
 */
import * as fs from 'fs';
import * as path from 'path';

declare const __GOVCOV_BUNDLED__: boolean | undefined;

/** True inside the esbuild bundles (scripts/bundle.mjs defines the constant). */
export const BUNDLED = typeof __GOVCOV_BUNDLED__ !== 'undefined' && __GOVCOV_BUNDLED__ === true;

/** A runtime file of ours: `dist/<name>.js` in a bundle, the compiled module next to this one otherwise. */
export function runtimeModule(name: 'child' | 'tsLoader' | 'embeddedModules' | 'mochaOptionsChild'): string {
  return path.join(__dirname, `${name}.js`);
}

/**
 * Our mocha, driven when the project has none (mochaSetup.ts `resolveMocha`): a folder with
 * mocha's layout. Packaged, dist/mocha (scripts/bundle.mjs: mocha bundled, plus the lib modules
 * the engine requires by path, which re-export from the one bundle); else node_modules/mocha.
 */
export function ourMochaDir(): string {
  return BUNDLED ? path.join(__dirname, 'mocha') : path.dirname(require.resolve('mocha/package.json'));
}

/** Known project loaders: package name → the module to require (CommonJS hook). */
export const PROJECT_LOADERS: ReadonlyArray<readonly [string, string]> = [
  ['tsx', 'tsx/cjs'],
  ['ts-node', 'ts-node/register'],
  ['@swc-node/register', '@swc-node/register'],
  ['@swc/register', '@swc/register'],
  ['@babel/register', '@babel/register'],
  ['sucrase', 'sucrase/register'],
];

/** The nearest package.json at or above `root` (as Node finds a package's), parsed; undefined if none or unreadable. */
function readPackage(root: string): Record<string, unknown> | undefined {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
        return pkg && typeof pkg === 'object' ? pkg : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function declaredDeps(pkg: Record<string, unknown> | undefined): Set<string> {
  const names = new Set<string>();
  for (const key of ['devDependencies', 'dependencies']) {
    const deps = pkg?.[key];
    if (deps && typeof deps === 'object') for (const n of Object.keys(deps)) names.add(n);
  }
  return names;
}

function installed(root: string, name: string): boolean {
  try {
    require.resolve(`${name}/package.json`, { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The TypeScript loader for a project without a `require` in its config: the module id of the
 * project's own loader (declared in package.json and installed), else the absolute path of our
 * transpile hook (tsLoader.ts).
 */
export function defaultTsLoader(root: string): { module: string; source: 'project' | 'bundled' } {
  const deps = declaredDeps(readPackage(root));
  for (const [name, module] of PROJECT_LOADERS) {
    if (deps.has(name) && installed(root, name)) return { module, source: 'project' };
  }
  const ours = runtimeModule('tsLoader');
  // From the TypeScript sources (this repository's unit tests under tsx) there is no compiled hook: tsx.
  return { module: fs.existsSync(ours) ? ours : require.resolve('tsx/cjs'), source: 'bundled' };
}

/**
 * True when the project at `root` has the CLI, so `npx governance-coverage` runs it: its nearest
 * package.json declares `governance-coverage` (dependencies or devDependencies), or is this
 * package itself. Otherwise the reader has the editor only (the plan's Verify line, reports.ts).
 */
export function projectHasCli(root: string): boolean {
  const pkg = readPackage(root);
  return pkg?.name === 'governance-coverage' || declaredDeps(pkg).has('governance-coverage');
}

/** Loaders that are ours or the project's tooling: V8 coverage starts after them (child.ts). */
export function isToolingModule(file: string): boolean {
  return /[\\/]node_modules[\\/]/.test(file) || path.dirname(file) === __dirname;
}
