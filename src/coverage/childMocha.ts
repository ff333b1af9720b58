/**
 * The child's side of "the project's own mocha": which mocha to drive, how its requires and test
 * files load, and how ESM sources are captured for coverage. Used by child.ts only.
 *
 * - Mocha is required from `MochaSetup.mochaDir` (the project's own when it has one), so a test
 *   file's `import { describe, it } from 'mocha'` gets the instance whose context we set.
 * - Requires go through mocha's own `requireOrImport` and `PluginLoader`, as `mocha --require`
 *   does: ESM setup files load, and root hook plugins (`mochaHooks`, `mochaGlobalSetup`,
 *   `mochaGlobalTeardown`) reach the Mocha instance.
 * - Test files load one by one through mocha's async loader (`requireOrImport`: `require`, else
 *   `import()`), so ESM test files and top-level await work and a file that fails to load is
 *   reported alone.
 * - ESM sources: CommonJS files are captured at `Module.prototype._compile` (child.ts); ES modules
 *   never pass there, so a loader hook registered with `module.register` (after the project's own
 *   `--import` loaders, so it sees their output, e.g. tsx's JavaScript and inline source map)
 *   posts each source module's code back on a MessagePort.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { MochaSetup } from './model';

/** Mocha's module-loading helpers of the driven mocha, or plain `require` for an old mocha. */
export interface MochaLoader {
  requireOrImport(file: string): Promise<unknown>;
  pluginLoader(): { load(mod: unknown): boolean; finalize(): Promise<Record<string, unknown>> } | undefined;
}

/** Requires a module of the driven mocha's `lib`, or undefined when that mocha has none. */
function mochaLib<T>(setup: MochaSetup, rel: string): T | undefined {
  try {
    return require(path.join(setup.mochaDir, 'lib', rel)) as T;
  } catch {
    return undefined;
  }
}

/** The driven mocha (the project's own when it has one). */
export function loadMocha(setup: MochaSetup): MochaModule {
  return require(setup.mochaDir) as MochaModule;
}

/** The loading helpers of the driven mocha. */
export function mochaLoader(setup: MochaSetup): MochaLoader {
  const esm = mochaLib<{ requireOrImport(file: string): Promise<unknown> }>(setup, 'nodejs/esm-utils');
  const plugins = mochaLib<{ create(o: object): ReturnType<MochaLoader['pluginLoader']> }>(setup, 'plugin-loader');
  return {
    requireOrImport: esm ? (f) => esm.requireOrImport(f) : async (f) => require(f),
    pluginLoader: () => plugins?.create({ ignore: [] }),
  };
}

/** A module id of `--require` as mocha resolves it: an existing path relative to the cwd, else as given. */
function requirePath(id: string, root: string): string {
  if (path.isAbsolute(id)) return id;
  const abs = path.resolve(root, id);
  try {
    require.resolve(abs);
    return abs;
  } catch {
    return id;
  }
}

/**
 * Loads the `require` entries in order, collecting root hook plugins. `beforeEach` runs before
 * each entry (the child starts coverage before the first project-local one). Rejects with the
 * first entry that fails.
 */
export async function loadRequires(
  loader: MochaLoader,
  requires: readonly string[],
  root: string,
  beforeEach: (id: string) => void,
): Promise<Record<string, unknown>> {
  const plugins = loader.pluginLoader();
  for (const id of requires) {
    beforeEach(id);
    let mod: unknown;
    try {
      mod = await loader.requireOrImport(requirePath(id, root));
    } catch (err) {
      throw new Error(`cannot load required module ${id}: ${(err as Error)?.message ?? String(err)}`);
    }
    if (plugins && mod && typeof mod === 'object') plugins.load(mod);
  }
  return plugins ? plugins.finalize() : {};
}

/** The Mocha constructor options of the setup (reporter, grep and plugins are added by the child). */
export function mochaOptions(setup: MochaSetup, timeout: number): Record<string, unknown> {
  const o: Record<string, unknown> = { timeout, color: false };
  const set = (k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  set('ui', setup.ui);
  set('slow', setup.slow);
  set('retries', setup.retries);
  set('bail', setup.bail);
  set('checkLeaks', setup.checkLeaks);
  set('global', setup.globals);
  set('allowUncaught', setup.allowUncaught);
  set('delay', setup.delay);
  set('asyncOnly', setup.asyncOnly);
  set('forbidOnly', setup.forbidOnly);
  set('forbidPending', setup.forbidPending);
  return o;
}

/** The loader hook, as a data: URL (no file to resolve, whatever runs the child). */
const HOOKS = `
let port; let wanted;
export function initialize(data) { port = data.port; wanted = new Set(data.urls); }
export async function load(url, context, next) {
  const result = await next(url, context);
  const base = url.split('?')[0].split('#')[0];
  if (wanted.has(base) && result.source != null && result.format !== 'commonjs' && result.format !== 'builtin') {
    const code = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
    port.postMessage({ url: base, code });
  }
  return result;
}
`;

/**
 * Registers the ESM capture hook for `sourceFiles`; `onSource` receives each ES module's code as
 * it loads. Returns a function that resolves once the messages posted so far have arrived.
 */
export function captureEsmSources(sourceFiles: readonly string[], onSource: (file: string, code: string) => void): (() => Promise<void>) | undefined {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require('module') as { register?: (url: string, opts: object) => void };
  if (typeof mod.register !== 'function') return undefined;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { MessageChannel } = require('worker_threads') as typeof import('worker_threads');
  const byUrl = new Map(sourceFiles.map((f) => [pathToFileURL(f).href, f]));
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (m: { url: string; code: string }) => {
    const file = byUrl.get(m.url);
    if (file) onSource(file, m.code);
  });
  port1.unref();
  mod.register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2, urls: [...byUrl.keys()] }, transferList: [port2] });
  return () => new Promise((r) => setTimeout(r, 0));
}

/** The parts of the mocha module the child uses. */
export interface MochaModule {
  new (options: Record<string, unknown>): MochaInstance;
  utils?: { stringify?: (v: unknown) => string };
  Runner: { constants: Record<string, string> };
  Suite: { constants: Record<string, string> };
}

export interface MochaInstance {
  suite: { emit(event: string, ...args: unknown[]): void };
  grep(re: RegExp): void;
  run(done: (failures: number) => void): unknown;
}
