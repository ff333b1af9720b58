/**
 * The workspace's own mocha setup: `.mocharc.{cjs,js,yaml,yml,jsonc,json}`, package.json "mocha",
 * and the mocha command of an npm script (`"test": "mocha --require tsx 'test/**\/*.ts'"`), read
 * with mocha's own `loadOptions` (mochaOptionsChild.ts, in a short-lived process whose cwd is the
 * root) — not a re-implementation. The mocha that reads them and later runs the tests is the
 * project's own (`node_modules/mocha` resolved from the root) when it has one, else ours.
 *
 * The options become a {@link ResolvedConfig}'s test globs (`spec` + `extension` + `recursive`,
 * see {@link specToGlobs}), `testIgnore`, `require`, `timeout` and {@link MochaSetup}.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import type { MochaSetup } from './model';

/** The config file names mocha looks for, in its order of precedence. */
export const MOCHARC_FILES = ['.mocharc.cjs', '.mocharc.js', '.mocharc.yaml', '.mocharc.yml', '.mocharc.jsonc', '.mocharc.json'];

/** What `loadOptions` gave, split the way mocha's `bin/mocha.js` splits it. */
export interface LoadedMochaOptions {
  options: Record<string, unknown>;
  nodeArgs: string[];
  configFile?: string;
  /** Config files not read because they are code and the workspace is not trusted. */
  skipped: string[];
}

function readPackage(dir: string): Record<string, unknown> | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return pkg && typeof pkg === 'object' ? pkg : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a shell command into words (quotes honoured) with `&&`, `||`, `;`, `|` as their own words. */
export function shellWords(command: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:(&&|\|\||[;|])|((?:[^\s'"&|;]|'[^']*'|"(?:\\.|[^"])*")+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(command)) && m[0].length) {
    out.push(m[1] ?? m[2].replace(/'([^']*)'|"((?:\\.|[^"])*)"/g, (_s, a: string | undefined, b: string | undefined) => a ?? (b ?? '').replace(/\\(.)/g, '$1')));
  }
  return out;
}

/** The arguments after `mocha` in one npm script (until a shell operator), if it runs mocha. */
export function mochaArgsOf(script: string): string[] | undefined {
  const words = shellWords(script);
  const at = words.findIndex((w) => /(^|[\\/])_?mocha(\.js)?$/.test(w));
  if (at < 0) return undefined;
  const end = words.findIndex((w, i) => i > at && ['&&', '||', ';', '|'].includes(w));
  return words.slice(at + 1, end < 0 ? undefined : end);
}

/** The npm script that runs mocha: `test` first, then `test:*`, then any; with its mocha arguments. */
export function mochaScript(pkg: Record<string, unknown> | undefined): { name: string; argv: string[] } | undefined {
  const scripts = (pkg?.scripts ?? {}) as Record<string, unknown>;
  const names = Object.keys(scripts).filter((n) => typeof scripts[n] === 'string');
  const order = [...names.filter((n) => n === 'test'), ...names.filter((n) => n.startsWith('test')), ...names];
  for (const name of order) {
    const argv = mochaArgsOf(scripts[name] as string);
    if (argv) return { name, argv };
  }
  return undefined;
}

/** Where a folder's mocha setup is, without executing anything: rc file, package.json key, npm script. */
export function findMochaSetup(root: string): { rcFile?: string; packageKey: boolean; script?: { name: string; argv: string[] } } | undefined {
  const rcFile = MOCHARC_FILES.map((f) => path.join(root, f)).find((f) => fs.existsSync(f));
  const pkg = readPackage(root);
  const packageKey = !!pkg && 'mocha' in pkg;
  const script = mochaScript(pkg);
  return rcFile || packageKey || script ? { rcFile, packageKey, script } : undefined;
}

/** The mocha package to drive: the project's own (resolved from the root), else ours. */
export function resolveMocha(root: string, trusted: boolean): { dir: string; version: string; project: boolean } {
  const ours = path.dirname(require.resolve('mocha/package.json'));
  let dir = ours;
  if (trusted) {
    try {
      dir = path.dirname(require.resolve('mocha/package.json', { paths: [root] }));
    } catch {
      /* the project has none */
    }
  }
  const version = String(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
  return { dir: fs.realpathSync(dir), version, project: dir !== ours };
}

function helperEntry(): { file: string; args: string[] } {
  const js = path.join(__dirname, 'mochaOptionsChild.js');
  if (fs.existsSync(js)) return { file: js, args: [] };
  return { file: path.join(__dirname, 'mochaOptionsChild.ts'), args: ['--require', require.resolve('tsx/cjs')] };
}

/** Runs mocha's `loadOptions(argv)` in `root` with the given Node (see mochaOptionsChild.ts). */
export function loadMochaOptions(root: string, argv: string[], mochaDir: string, node: string, trusted: boolean): Promise<LoadedMochaOptions> {
  const entry = helperEntry();
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1', GOVCOV_MOCHA: JSON.stringify({ argv, mochaDir, noCodeConfig: !trusted }) };
  delete env.MOCHA_OPTIONS;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    execFile(node, [...entry.args, entry.file], { cwd: root, env, timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const line = String(stdout).split('\n').reverse().find((l) => l.startsWith('GOVCOV_MOCHA_OPTIONS '));
      if (!line) return reject(new Error(`mocha could not read its options in ${root}: ${(err?.message ?? '') + String(stderr).trim().split('\n').slice(-3).join(' ')}`));
      const out = JSON.parse(line.slice('GOVCOV_MOCHA_OPTIONS '.length));
      if (out.error) reject(new Error(`mocha could not read its options in ${root}: ${out.error}`));
      else resolve(out as LoadedMochaOptions);
    });
  });
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String));

/** `./test/x` → `test/x`; an absolute path inside the root → relative; forward slashes. */
function relativeSpec(root: string, spec: string): string {
  let s = spec.split(path.sep).join('/');
  if (path.isAbsolute(spec)) {
    const rel = path.relative(root, spec);
    if (!rel.startsWith('..')) s = rel.split(path.sep).join('/');
  }
  return s.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
}

/**
 * mocha's `spec` as globs relative to the root, the way mocha's lookupFiles reads them: a glob as
 * it is; a file as it is; a directory → its files with one of `extensions` (`recursive`: all
 * levels); anything else → the name with one of the extensions appended.
 */
export function specToGlobs(root: string, spec: readonly string[], extensions: readonly string[], recursive: boolean): string[] {
  const exts = extensions.map((e) => e.replace(/^\./, ''));
  const withExt = (base: string) => (exts.length === 1 ? [`${base}.${exts[0]}`] : [`${base}.{${exts.join(',')}}`]);
  const out: string[] = [];
  for (const raw of spec) {
    const s = relativeSpec(root, raw);
    if (picomatch.scan(s).isGlob) {
      out.push(s);
      continue;
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(path.resolve(root, s));
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) out.push(s);
    else if (stat?.isDirectory()) out.push(...withExt(`${s === '.' ? '' : `${s}/`}${recursive ? '**/' : ''}*`));
    else out.push(...withExt(s));
  }
  return out;
}

/** What a loaded mocha setup contributes to a config. */
export interface SetupPart {
  testGlobs: string[];
  testIgnore: string[];
  require: string[];
  timeout?: number;
  mocha: MochaSetup;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() && Number.isFinite(Number(v)) ? Number(v) : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

/** The config part of mocha's loaded options (see {@link loadMochaOptions}). */
export function setupFromOptions(root: string, loaded: LoadedMochaOptions, mocha: { dir: string; version: string; project: boolean }, sources: string[]): SetupPart {
  const o = loaded.options;
  const spec = list(o._).length ? list(o._) : list(o.spec).length ? list(o.spec) : ['./test'];
  const extension = list(o.extension).length ? list(o.extension) : ['js', 'cjs', 'mjs'];
  // A timeout of 0 (or false) means none in mocha.
  const timeout = o.timeout === false || o['no-timeouts'] === true ? 0 : num(o.timeout);
  const setup: MochaSetup = {
    mochaDir: mocha.dir,
    mochaVersion: mocha.version,
    projectMocha: mocha.project,
    sources,
    ignore: list(o.ignore).map((g) => relativeSpec(root, g)),
    files: list(o.file).map((f) => path.resolve(root, f)),
    nodeOptions: loaded.nodeArgs,
  };
  const copy = <K extends keyof MochaSetup>(key: K, value: MochaSetup[K] | undefined) => {
    if (value !== undefined) setup[key] = value;
  };
  copy('ui', typeof o.ui === 'string' ? o.ui : undefined);
  copy('slow', num(o.slow));
  copy('retries', num(o.retries));
  copy('bail', bool(o.bail));
  copy('checkLeaks', bool(o['check-leaks']));
  copy('globals', list(o.global ?? o.globals).length ? list(o.global ?? o.globals) : undefined);
  copy('failZero', bool(o['fail-zero']));
  copy('allowUncaught', bool(o['allow-uncaught']));
  copy('delay', bool(o.delay));
  copy('asyncOnly', bool(o['async-only']));
  copy('forbidOnly', bool(o['forbid-only']));
  copy('forbidPending', bool(o['forbid-pending']));
  return {
    testGlobs: specToGlobs(root, spec, extension, o.recursive === true),
    testIgnore: setup.ignore,
    require: list(o.require),
    ...(timeout !== undefined ? { timeout } : {}),
    mocha: setup,
  };
}

/** The defaults a config gets when the workspace has no mocha setup (mocha's own defaults). */
export function defaultMochaSetup(root: string, trusted = true): MochaSetup {
  const m = resolveMocha(root, trusted);
  return { mochaDir: m.dir, mochaVersion: m.version, projectMocha: m.project, sources: ['defaults'], ignore: [], files: [], nodeOptions: [] };
}

/**
 * Reads the mocha setup of `root` (undefined when it has none): which files say what, then
 * mocha's `loadOptions` with the npm script's arguments when the setup is in a script.
 */
export async function readMochaSetup(root: string, node: string, trusted: boolean): Promise<{ part: SetupPart; notes: string[] } | undefined> {
  const found = findMochaSetup(root);
  if (!found) return undefined;
  const mocha = resolveMocha(root, trusted);
  const argv = found.script?.argv ?? [];
  const loaded = await loadMochaOptions(root, argv, mocha.dir, node, trusted);
  const sources = [
    ...(loaded.configFile ? [path.relative(root, loaded.configFile) || loaded.configFile] : []),
    ...(found.packageKey ? ['package.json#mocha'] : []),
    ...(found.script ? [`npm script "${found.script.name}"`] : []),
  ];
  const notes = loaded.skipped.map((f) => `${f} was not read: it is code, and the workspace is not trusted.`);
  if (!sources.length) sources.push('mocha defaults');
  return { part: setupFromOptions(root, loaded, mocha, sources), notes };
}
