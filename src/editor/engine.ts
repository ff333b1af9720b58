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
  loadConfig(root: string): Promise<ResolvedConfig>;
  resolveConfig(root: string, user: UserConfig, source: string): ResolvedConfig | Promise<ResolvedConfig>;
  embeddedConfig(): ResolvedConfig;
  startRun(options: RunOptions): RunHandle;
  analyze(result: RunResult, config: ResolvedConfig): Promise<Analysis>;
  writeReports(result: RunResult, analysis: Analysis, config: ResolvedConfig): Promise<string[]>;
  renderPlan(analysis: Analysis, config: ResolvedConfig): string;
  /** Continuous run: the tests `changes` affect, merged into `previous` (src/continuous). */
  /** The tests `changes` affect (no run). */
  selectAffected?(config: ResolvedConfig, previous: RunResult, changes: Change[]): Selection;
  startAffected?(config: ResolvedConfig, previous: RunResult, changes: Change[], start: (o: RunOptions) => RunHandle, extra?: Partial<RunOptions>): {
    selection: Selection; handle?: RunHandle; result: Promise<AffectedRun>;
  };
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
  config: ResolvedConfig;
  /** e.g. settings ignored because a config file exists. */
  notes: string[];
}

/**
 * Picks the config: a workspace config file / package.json key wins; otherwise explicit
 * `governanceCoverage.*` settings; otherwise the embedded governance suite.
 * Throws the engine's `ConfigError` for a malformed config.
 */
export async function chooseConfig(engine: Engine, root: string | undefined, settings: SettingsConfig): Promise<ConfigChoice> {
  const hasSettings = Object.values(settings).some((v) => v !== undefined);
  if (!root) return { config: engine.embeddedConfig(), notes: ['No folder is open: using the embedded governance suite.'] };
  const loaded = await engine.loadConfig(root);
  if (!loaded.embedded) {
    return {
      config: loaded,
      notes: hasSettings ? [`governanceCoverage.* settings are ignored because ${loaded.source} configures the project.`] : [],
    };
  }
  if (hasSettings) {
    const user: UserConfig = {};
    if (settings.testGlobs) user.testGlobs = settings.testGlobs;
    if (settings.sourceGlobs) user.sourceGlobs = settings.sourceGlobs;
    if (settings.targets) user.targets = settings.targets;
    if (settings.timeout !== undefined) user.timeout = settings.timeout;
    return { config: await engine.resolveConfig(root, user, 'settings (governanceCoverage.*)'), notes: [] };
  }
  return { config: loaded, notes: [] };
}
