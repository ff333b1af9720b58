/**
 * Configuration = the workspace's own mocha setup (mochaSetup.ts: `.mocharc.*`, package.json
 * "mocha", an npm script's mocha command, read by mocha itself) + our config on top
 * (`governance-coverage.config.json` at the root, or the `governanceCoverage` key of its
 * package.json: targets, source globs, hints, and test globs / requires / timeout that override
 * mocha's). The embedded governance suite is used only when the root is this project itself
 * (then from the root's own files); a root with neither a mocha setup nor our config is refused
 * with a {@link NoSetupError} that lists the ways forward.
 *
 * A malformed config is refused with a {@link ConfigError} naming the file, the field and what
 * was expected — never silently patched.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ConfigProblem, HintRule, ResolvedConfig, TargetRule, UserConfig } from './model';
import { defaultMochaSetup, readMochaSetup, type SetupPart } from './mochaSetup';
import { resolveNode } from './runtime';

/** Name of the config file looked up at the workspace root. */
export const CONFIG_FILE = 'governance-coverage.config.json';
/** The package.json key holding the config. */
export const PACKAGE_KEY = 'governanceCoverage';

/** Default per-test timeout (ms). */
export const DEFAULT_TIMEOUT = 10_000;
/** Default whole-run watchdog (ms). */
export const DEFAULT_RUN_TIMEOUT = 10 * 60_000;
/** The longest timeout a timer holds (2^31 - 1 ms); Node.js turns a longer one into 1 ms. */
export const MAX_MS = 2 ** 31 - 1;

/** A configuration that cannot be used; `problems` lists every field at fault. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      problems
        .map(
          (p) =>
            `${p.file}: field "${p.field}" — expected ${p.expected}` +
            (p.actual !== undefined ? `, got ${p.actual}` : ''),
        )
        .join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A root with no mocha setup and no config of ours: the message lists the ways forward. */
export class NoSetupError extends Error {
  constructor(readonly root: string) {
    super(
      `No mocha setup and no governance-coverage config in ${root}. Ways forward:\n` +
        `- add a .mocharc.json (e.g. {"spec": "test/**/*.test.js"}) or a "mocha" key / mocha test script in package.json;\n` +
        `- or add ${CONFIG_FILE} with "testGlobs" (and "sourceGlobs", "targets");\n` +
        `- or open the governance demo (editor: "Governance: Open the governance demo"; CLI: --root on the extension's folder).`,
    );
    this.name = 'NoSetupError';
  }
}

/** The five governance service files held to the strict target. */
export const GOVERNANCE_SERVICES = [
  'triggerInterceptor',
  'studentTrainingService',
  'supervisionService',
  'proposalService',
  'graduationService',
];

/** The embedded suite's list of equivalent mutants (issue 8), used when it exists. */
const EMBEDDED_EQUIVALENTS = 'test/governance/equivalent-mutants.json';

let extensionRootCache: string | undefined;

/** The folder holding this extension's package.json (found upward from `__dirname`, realpath'd). */
export function extensionRoot(): string {
  if (extensionRootCache) return extensionRootCache;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        const name = JSON.parse(fs.readFileSync(pkg, 'utf8')).name;
        if (name === 'governance-coverage') break;
      } catch {
        /* keep looking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      dir = path.resolve(__dirname, '..', '..');
      break;
    }
    dir = parent;
  }
  extensionRootCache = fs.realpathSync(dir);
  return extensionRootCache;
}

/** Resolve a module id from the project root first, then from this extension's node_modules. */
export function resolveRequire(id: string, root: string): string {
  if (id.startsWith('.') || path.isAbsolute(id)) return path.resolve(root, id);
  for (const base of [root, extensionRoot()]) {
    try {
      return require.resolve(id, { paths: [base] });
    } catch {
      /* try the next */
    }
  }
  return id;
}

/** True when `root` is this project (its package.json is ours and it holds the governance suite). */
export function isThisProject(root: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    return pkg?.name === 'governance-coverage' && fs.existsSync(path.join(root, 'test', 'governance'));
  } catch {
    return false;
  }
}

/**
 * The embedded governance suite and its targets, from `root`'s files (default: this extension's
 * folder; a workspace that is this project passes its own folder).
 */
export function embeddedConfig(root: string = extensionRoot()): ResolvedConfig {
  root = realRoot(root);
  const services = GOVERNANCE_SERVICES.map((s) => `src/governance/${s}.ts`);
  const targets: TargetRule[] = [
    { glob: 'src/governance/**/*.ts', lines: 90, branches: 80, mutation: 90 },
    ...services.map((glob) => ({ glob, lines: 95, branches: 90, functions: 95, statements: 95, mutation: 95 })),
  ];
  const hints: HintRule[] = [
    { match: 'src/governance/triggerInterceptor.ts', label: 'trigger interception: every agent action is checked against governance before it runs' },
    { match: 'src/governance/studentTrainingService.ts', label: 'student training: an agent in training is held to its curriculum' },
    { match: 'src/governance/supervisionService.ts', label: 'supervision: a supervisor must see and be able to stop what a supervised agent does' },
    { match: 'src/governance/proposalService.ts', label: 'proposal lifecycle: an approved proposal acts on the real world' },
    { match: 'ProposalService.execute*', label: 'action execution: an approved proposal acts on the real world' },
    { match: 'src/governance/graduationService.ts', label: 'graduation: an agent gains autonomy only when it has earned it' },
  ];
  return {
    root,
    source: 'embedded',
    embedded: true,
    testGlobs: ['test/governance/**/*.test.ts'],
    sourceGlobs: ['src/governance/**/*.ts'],
    require: [resolveRequire('tsx/cjs', root)],
    timeout: DEFAULT_TIMEOUT,
    runTimeout: DEFAULT_RUN_TIMEOUT,
    targets,
    hints,
    reportDir: 'coverage',
    ...(fs.existsSync(path.join(root, EMBEDDED_EQUIVALENTS)) ? { equivalentMutants: path.join(root, EMBEDDED_EQUIVALENTS) } : {}),
    testIgnore: [],
    mocha: defaultMochaSetup(root),
  };
}

/**
 * The root, resolved and with symlinks resolved when it exists: Node reports loaded files by
 * their real path, so coverage keys and source globs must agree on it.
 */
function realRoot(root: string): string {
  const abs = path.resolve(root);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/** How to read a workspace's setup. */
export interface LoadOptions {
  /** The Node.js that reads the mocha options (see runtime.ts); default `node` on PATH. */
  node?: string;
  /** Untrusted workspace: no code of the workspace runs (no `.mocharc.js`, not its own mocha). */
  trusted?: boolean;
  /** Our config from elsewhere (the editor's settings), used when the root has no config of ours. */
  fallback?: { user: UserConfig; source: string };
}

/** Our config of a root: the config file, else package.json's key, else none. */
export function readUserConfig(root: string): { user: UserConfig; source: string } | undefined {
  const file = path.join(root, CONFIG_FILE);
  if (fs.existsSync(file)) return { user: parseJson(file) as UserConfig, source: file };
  const pkgFile = path.join(root, 'package.json');
  if (!fs.existsSync(pkgFile)) return undefined;
  const pkg = parseJson(pkgFile);
  if (pkg && typeof pkg === 'object' && PACKAGE_KEY in (pkg as object)) {
    return { user: (pkg as Record<string, unknown>)[PACKAGE_KEY] as UserConfig, source: `${pkgFile}#${PACKAGE_KEY}` };
  }
  return undefined;
}

/** The mocha setup of a root, read by mocha (undefined when it has none). */
async function mochaPart(root: string, options: LoadOptions): Promise<SetupPart | undefined> {
  const node = options.node ?? (await resolveNode()).path;
  return (await readMochaSetup(root, node, options.trusted !== false))?.part;
}

/**
 * Read a root's config: its mocha setup with our config on top; this project alone → the embedded
 * suite from its own files; neither → {@link NoSetupError}.
 */
export async function loadConfig(root: string, options: LoadOptions = {}): Promise<ResolvedConfig> {
  root = realRoot(root);
  const ours = readUserConfig(root) ?? options.fallback;
  if (!ours && isThisProject(root)) return embeddedConfig(root);
  const setup = await mochaPart(root, options);
  if (ours) return resolveConfig(root, ours.user, ours.source, setup);
  if (setup) return resolveConfig(root, {}, setup.mocha.sources.join(', '), setup);
  throw new NoSetupError(root);
}

/**
 * Load an explicit config file (CLI `--config`). Its globs, requires and report folder are
 * relative to `root` (the CLI's `--root`, default the current directory) — never to the config
 * file's folder — and the root's mocha setup still applies underneath.
 */
export async function loadConfigFile(file: string, root: string = process.cwd(), options: LoadOptions = {}): Promise<ResolvedConfig> {
  file = path.resolve(file);
  if (!fs.existsSync(file)) {
    throw new ConfigError([{ file, field: '(file)', expected: 'an existing JSON config file' }]);
  }
  const user = parseJson(file);
  root = realRoot(root);
  return resolveConfig(root, user as UserConfig, file, await mochaPart(root, options));
}

function parseJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError([
      { file, field: '(file)', expected: 'valid JSON', actual: (e as Error).message },
    ]);
  }
}

const THRESHOLD_KEYS = ['lines', 'branches', 'functions', 'statements'] as const;
/** Percentages a target rule may hold: the coverage thresholds and the mutation score. */
const TARGET_KEYS = [...THRESHOLD_KEYS, 'mutation'] as const;
const KNOWN_KEYS = ['testGlobs', 'sourceGlobs', 'require', 'timeout', 'runTimeout', 'targets', 'hints', 'reportDir', 'equivalentMutants'];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * Validate a user config and fill in defaults. `source` names where it came from (used in
 * error messages as the file). Throws {@link ConfigError} listing every problem.
 */
export function resolveConfig(root: string, user: UserConfig, source: string, setup?: SetupPart): ResolvedConfig {
  root = realRoot(root);
  const file = source;
  const problems: ConfigProblem[] = [];
  const bad = (field: string, expected: string, actual: unknown) =>
    problems.push({ file, field, expected, actual: describe(actual) });
  if (user === null || typeof user !== 'object' || Array.isArray(user)) {
    throw new ConfigError([{ file, field: '(root)', expected: 'an object', actual: describe(user) }]);
  }
  const u = user as Record<string, unknown>;
  for (const key of Object.keys(u)) {
    if (!KNOWN_KEYS.includes(key)) bad(key, `one of the known fields (${KNOWN_KEYS.join(', ')})`, u[key]);
  }
  const strings = (field: string, fallback: string[], nonEmpty: boolean): string[] => {
    const v = u[field];
    if (v === undefined) return fallback;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.length === 0) || (nonEmpty && v.length === 0)) {
      bad(field, `${nonEmpty ? 'a non-empty ' : 'an '}array of non-empty strings (globs relative to the root)`, v);
      return fallback;
    }
    return v as string[];
  };
  const positive = (field: string, fallback: number): number => {
    const v = u[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_MS) {
      bad(field, `a positive number of milliseconds, at most ${MAX_MS} (about 24.8 days: the longest timer Node.js keeps)`, v);
      return fallback;
    }
    return v;
  };
  const testGlobs = strings('testGlobs', setup?.testGlobs ?? ['test/**/*.test.ts'], true);
  const sourceGlobs = strings('sourceGlobs', setup ? defaultSourceGlobs(root) : ['src/**/*.ts'], true);
  const requires = strings('require', setup?.require ?? ['tsx/cjs'], false);
  const timeout = u.timeout === undefined && setup?.timeout !== undefined ? setup.timeout : positive('timeout', DEFAULT_TIMEOUT);
  const runTimeout = positive('runTimeout', DEFAULT_RUN_TIMEOUT);
  let reportDir = 'coverage';
  if (u.reportDir !== undefined) {
    if (typeof u.reportDir !== 'string' || !u.reportDir) bad('reportDir', 'a non-empty path relative to the root', u.reportDir);
    else reportDir = u.reportDir;
  }
  if (u.equivalentMutants !== undefined && (typeof u.equivalentMutants !== 'string' || !u.equivalentMutants)) {
    bad('equivalentMutants', 'a path (relative to the root) of a JSON list of equivalent mutants', u.equivalentMutants);
  }
  const targets: TargetRule[] = [];
  if (u.targets !== undefined) {
    if (!Array.isArray(u.targets)) bad('targets', 'an array of { glob, lines?, branches?, functions?, statements?, mutation? }', u.targets);
    else
      u.targets.forEach((t: unknown, i: number) => {
        const f = `targets[${i}]`;
        if (!t || typeof t !== 'object' || Array.isArray(t)) return bad(f, 'an object { glob, lines?, branches?, functions?, statements?, mutation? }', t);
        const r = t as Record<string, unknown>;
        if (typeof r.glob !== 'string' || !r.glob) return bad(`${f}.glob`, 'a non-empty glob relative to the root', r.glob);
        const rule: TargetRule = { glob: r.glob };
        for (const k of Object.keys(r)) {
          if (k === 'glob') continue;
          if (!(TARGET_KEYS as readonly string[]).includes(k)) {
            bad(`${f}.${k}`, 'one of glob, lines, branches, functions, statements, mutation', r[k]);
            continue;
          }
          const v = r[k];
          if (typeof v !== 'number' || !(v >= 0 && v <= 100)) bad(`${f}.${k}`, 'a percentage between 0 and 100', v);
          else rule[k as (typeof TARGET_KEYS)[number]] = v;
        }
        targets.push(rule);
      });
  }
  const hints: HintRule[] = [];
  if (u.hints !== undefined) {
    if (!Array.isArray(u.hints)) bad('hints', 'an array of { match, label }', u.hints);
    else
      u.hints.forEach((h: unknown, i: number) => {
        const f = `hints[${i}]`;
        if (!h || typeof h !== 'object') return bad(f, 'an object { match, label }', h);
        const r = h as Record<string, unknown>;
        if (typeof r.match !== 'string' || !r.match) return bad(`${f}.match`, 'a qualified name, file path or glob', r.match);
        if (typeof r.label !== 'string' || !r.label) return bad(`${f}.label`, 'a non-empty string', r.label);
        hints.push({ match: r.match, label: r.label });
      });
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    root,
    source,
    embedded: false,
    testGlobs,
    sourceGlobs,
    require: requires.map((r) => resolveRequire(r, root)),
    timeout,
    runTimeout,
    targets,
    hints,
    reportDir,
    ...(typeof u.equivalentMutants === 'string' && u.equivalentMutants ? { equivalentMutants: path.resolve(root, u.equivalentMutants) } : {}),
    testIgnore: setup?.testIgnore ?? [],
    mocha: setup?.mocha ?? defaultMochaSetup(root),
  };
}

const SOURCE_EXTS = '{js,cjs,mjs,jsx,ts,cts,mts,tsx}';

/**
 * Source globs of a project configured by its mocha setup alone: its c8/nyc `include`/`exclude`
 * when it has them ({@link coverageToolGlobs}); else the top-level scripts and `src/`
 * and/or `lib/` when it has them, else every script file; either way without what c8 leaves out
 * by default (tests, `__tests__`, fixtures, config files, coverage, declarations). Test files
 * themselves are never counted as sources (runner).
 */
export function defaultSourceGlobs(root: string): string[] {
  const c8 = coverageToolGlobs(root);
  if (c8) return c8;
  const dirs = ['src', 'lib'].filter((d) => fs.existsSync(path.join(root, d)));
  if (dirs.length) return [`*.${SOURCE_EXTS}`, ...dirs.map((d) => `${d}/**/*.${SOURCE_EXTS}`), ...SOURCE_EXCLUDES];
  return [`**/*.${SOURCE_EXTS}`, '!{test,tests,spec,specs,coverage,fixtures,examples,example,benchmark,bench,docs}/**', ...SOURCE_EXCLUDES];
}

/** A folder name or glob of c8/nyc as a glob: `src/` → `src/**`. */
function toolGlob(g: string): string {
  const s = g.replace(/^\.\//, '');
  return s.endsWith('/') ? `${s}**` : s;
}

/**
 * The project's own c8 / nyc `include` and `exclude` (`.c8rc.json`, `.c8rc`, `.nycrc`,
 * `.nycrc.json`, package.json "c8"/"nyc"), as source globs; undefined when it has none.
 */
export function coverageToolGlobs(root: string): string[] | undefined {
  const read = (f: string): Record<string, unknown> | undefined => {
    try {
      const v = JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
      return v && typeof v === 'object' ? v : undefined;
    } catch {
      return undefined;
    }
  };
  let pkg: Record<string, unknown> | undefined;
  const rc = ['.c8rc.json', '.c8rc', '.nycrc', '.nycrc.json'].map(read).find(Boolean) ?? ((pkg = read('package.json')), (pkg?.c8 ?? pkg?.nyc) as Record<string, unknown> | undefined);
  const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((x): x is string => typeof x === 'string');
  const include = list(rc?.include);
  if (!include.length) return undefined;
  const scripts = (g: string) => (g.endsWith('**') ? `${g}/*.${SOURCE_EXTS}` : g);
  return [...include.map(toolGlob).map(scripts), ...list(rc?.exclude).map((g) => `!${toolGlob(g)}`), ...SOURCE_EXCLUDES];
}

/** What c8 leaves out by default wherever it is: tests, config files, declarations. */
const SOURCE_EXCLUDES = ['!**/__tests__/**', '!**/*{.,-}{test,spec}.*', '!**/*.config.*', '!**/.mocharc.*', '!**/*.d.ts'];
