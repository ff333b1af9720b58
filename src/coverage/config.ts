/**
 * Configuration: `governance-coverage.config.json` at the workspace root, or the
 * `governanceCoverage` key of its package.json; with neither, the embedded governance suite.
 *
 * A malformed config is refused with a {@link ConfigError} naming the file, the field and what
 * was expected — never silently patched.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ConfigProblem, HintRule, ResolvedConfig, TargetRule, UserConfig } from './model';

/** Name of the config file looked up at the workspace root. */
export const CONFIG_FILE = 'governance-coverage.config.json';
/** The package.json key holding the config. */
export const PACKAGE_KEY = 'governanceCoverage';

/** Default per-test timeout (ms). */
export const DEFAULT_TIMEOUT = 10_000;
/** Default whole-run watchdog (ms). */
export const DEFAULT_RUN_TIMEOUT = 10 * 60_000;

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

/** The five governance service files held to the strict target. */
export const GOVERNANCE_SERVICES = [
  'triggerInterceptor',
  'studentTrainingService',
  'supervisionService',
  'proposalService',
  'graduationService',
];

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

/** The embedded default: the governance suite of this extension and its targets. */
export function embeddedConfig(): ResolvedConfig {
  const root = extensionRoot();
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

/** Read the workspace config: the config file, else package.json's key, else the embedded default. */
export async function loadConfig(root: string): Promise<ResolvedConfig> {
  root = realRoot(root);
  const file = path.join(root, CONFIG_FILE);
  if (fs.existsSync(file)) return loadConfigFile(file, root);
  const pkgFile = path.join(root, 'package.json');
  if (fs.existsSync(pkgFile)) {
    const pkg = parseJson(pkgFile);
    if (pkg && typeof pkg === 'object' && PACKAGE_KEY in (pkg as object)) {
      const user = (pkg as Record<string, unknown>)[PACKAGE_KEY];
      return resolveConfig(root, user as UserConfig, `${pkgFile}#${PACKAGE_KEY}`);
    }
  }
  return embeddedConfig();
}

/** Load an explicit config file (CLI `--config`); globs are relative to `root` (default: its folder). */
export async function loadConfigFile(file: string, root?: string): Promise<ResolvedConfig> {
  file = path.resolve(file);
  if (!fs.existsSync(file)) {
    throw new ConfigError([{ file, field: '(file)', expected: 'an existing JSON config file' }]);
  }
  const user = parseJson(file);
  return resolveConfig(root ?? path.dirname(file), user as UserConfig, file);
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
const KNOWN_KEYS = ['testGlobs', 'sourceGlobs', 'require', 'timeout', 'runTimeout', 'targets', 'hints', 'reportDir'];

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
export function resolveConfig(root: string, user: UserConfig, source: string): ResolvedConfig {
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
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      bad(field, 'a positive number of milliseconds', v);
      return fallback;
    }
    return v;
  };
  const testGlobs = strings('testGlobs', ['test/**/*.test.ts'], true);
  const sourceGlobs = strings('sourceGlobs', ['src/**/*.ts'], true);
  const requires = strings('require', ['tsx/cjs'], false);
  const timeout = positive('timeout', DEFAULT_TIMEOUT);
  const runTimeout = positive('runTimeout', DEFAULT_RUN_TIMEOUT);
  let reportDir = 'coverage';
  if (u.reportDir !== undefined) {
    if (typeof u.reportDir !== 'string' || !u.reportDir) bad('reportDir', 'a non-empty path relative to the root', u.reportDir);
    else reportDir = u.reportDir;
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
  };
}
