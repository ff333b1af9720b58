/**
 * The coverage engine as the editor sees it: an injectable interface over `src/coverage/index`
 * (loaded lazily, so activation stays cheap and tests could substitute it), plus config
 * resolution from the workspace config file, `governanceCoverage.*` settings or the embedded suite.
 */
import type {
  Analysis, ConfigProblem, ResolvedConfig, RunHandle, RunOptions, RunResult, TargetRule, UserConfig,
} from '../coverage/model';
import type { AffectedRun, Change, Selection } from '../continuous/continuous';

/** The engine API the editor codes against (the contract of `src/coverage/index.ts`). */
export interface Engine {
  loadConfig(root: string, options?: { node?: string; trusted?: boolean; fallback?: { user: UserConfig; source: string } }): Promise<ResolvedConfig>;
  findRoots(folder: string): Promise<string[]>;
  resolveNode(requested?: string): Promise<{ path: string; version: string }>;
  readCoverageReport(file: string, root: string): RunResult['coverage'];
  reportResult(coverage: RunResult['coverage']): RunResult;
  resolveConfig(root: string, user: UserConfig, source: string): ResolvedConfig | Promise<ResolvedConfig>;
  embeddedConfig(root?: string): ResolvedConfig;
  startRun(options: RunOptions): RunHandle;
  analyze(result: RunResult, config: ResolvedConfig): Promise<Analysis>;
  writeReports(result: RunResult, analysis: Analysis, config: ResolvedConfig): Promise<string[]>;
  renderPlan(analysis: Analysis, config: ResolvedConfig): string;
  /** Continuous run (src/continuous): the tests `changes` affect (no run), and their run merged into `previous`. */
  selectAffected?(config: ResolvedConfig, previous: RunResult, changes: Change[]): Selection;
  startAffected?(config: ResolvedConfig, previous: RunResult, changes: Change[], start: (o: RunOptions) => RunHandle, extra?: Partial<RunOptions>): {
    selection: Selection; handle?: RunHandle; result: Promise<AffectedRun>;
  };
  renderTable(analysis: Analysis): string;
  /** A test process kept between runs (src/warm): continuous reruns go through it. */
  warmRunner?(): WarmRunnerLike;
}

/** The warm runner as the editor uses it (src/warm/warmRunner.ts). */
export interface WarmRunnerLike {
  start(options: RunOptions): RunHandle;
  /** Start its test process ahead of the first rerun. */
  prepare(options: RunOptions): void;
  dispose(): void;
}

/** Loads the real engine (`out/src/coverage/index.js` next to this file). */
export function loadEngine(): Engine {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('../coverage/index') as Engine;
}

/** A config error as thrown by the engine (`ConfigError` with `problems`). */
export interface ConfigErrorLike extends Error {
  problems: ConfigProblem[];
}

/** True for the engine's `ConfigError` (checked structurally: the class lives in another module). */
export function isConfigError(err: unknown): err is ConfigErrorLike {
  return err instanceof Error && Array.isArray((err as Partial<ConfigErrorLike>).problems);
}

/** The explicitly set `governanceCoverage.*` values that form a user config. */
export interface SettingsConfig {
  testGlobs?: string[];
  sourceGlobs?: string[];
  targets?: TargetRule[];
  timeout?: number;
}

/** Where the active config came from and anything the user should know about it. */
export interface ConfigChoice {
  /** Undefined when the root has no mocha setup and no config (`noSetup` says what to do). */
  config?: ResolvedConfig;
  /** e.g. settings ignored because a config file exists. */
  notes: string[];
  /** The engine's message with the ways forward, for a root with nothing to run. */
  noSetup?: string;
}

/** How the editor reads a root (see the engine's `LoadOptions`). */
export interface ChooseOptions {
  node?: string;
  trusted?: boolean;
}

/** True for the engine's `NoSetupError` (checked by name: the class lives in another module). */
export function isNoSetupError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'NoSetupError';
}

/**
 * Picks a root's config: its mocha setup with our config file / package.json key on top, or, with
 * neither of ours, with the explicit `governanceCoverage.*` settings on top; this project alone →
 * the embedded suite from its own files. Nothing to run → `noSetup`. Throws the engine's
 * `ConfigError` for a malformed config.
 */
export async function chooseConfig(engine: Engine, root: string, settings: SettingsConfig, options: ChooseOptions = {}): Promise<ConfigChoice> {
  const user: UserConfig = {};
  if (settings.testGlobs) user.testGlobs = settings.testGlobs;
  if (settings.sourceGlobs) user.sourceGlobs = settings.sourceGlobs;
  if (settings.targets) user.targets = settings.targets;
  if (settings.timeout !== undefined) user.timeout = settings.timeout;
  const hasSettings = Object.keys(user).length > 0;
  const fallback = hasSettings ? { user, source: 'settings (governanceCoverage.*)' } : undefined;
  try {
    const config = await engine.loadConfig(root, { ...options, fallback });
    const ignored = hasSettings && config.source !== fallback?.source;
    return { config, notes: ignored ? [`governanceCoverage.* settings are ignored because ${config.source} configures the project.`] : [] };
  } catch (err) {
    if (isNoSetupError(err)) return { notes: [], noSetup: err.message };
    throw err;
  }
}
