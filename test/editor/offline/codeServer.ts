/**
 * Starts the pinned code-server (test/editor/host) on a random loopback port with throwaway
 * user-data, extensions and XDG directories, the PACKAGED extension installed into the
 * extensions directory as a user installs it (`code-server --install-extension <.vsix>`, the
 * .vsix that `npm run package` built; no symlink to the repository), telemetry and update checks off.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { freeLoopbackPort, poll, removeAtExit, spawnGroup, type GroupProcess } from './procs';

/** The repository root (this file lives in test/editor/offline). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const HOST_DIR = path.join(REPO_ROOT, 'test', 'editor', 'host');
const CODE_SERVER = path.join(HOST_DIR, 'node_modules', 'code-server');
const ENTRY = path.join(CODE_SERVER, 'out', 'node', 'entry.js');

/** A running code-server and the throwaway directories it owns. */
export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Throwaway root holding user-data, extensions and XDG dirs; removed by stop(). */
  readonly tempRoot: string;
  readonly extensionId: string;
  /** Folder of the installed .vsix (under the throwaway extensions dir); undefined when none was installed. */
  readonly installedExtension?: string;
  /** Workbench URL opening `folder` as the workspace. */
  folderUrl(folder: string): string;
  output(): string;
  stop(): Promise<void>;
}

/** User settings that keep the workbench quiet, offline and deterministic. */
export const USER_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'chat.commandCenter.enabled': false,
  'editor.hover.delay': 300,
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  // .tmp/editor-unwatched: a folder no watcher of the session sees, where the suite checks that the
  // Test Explorer tree still converges on the disk without file events (test/editor/suite/reconcile.test.ts).
  'files.watcherExclude': {
    '**/node_modules/**': true, '**/.git/**': true, '**/test/editor/host/**': true, '**/.tmp/editor-unwatched/**': true,
  },
};

/**
 * Installs the editor host with test/editor/host/install.sh, which is a no-op (milliseconds)
 * when its stamp matches the current lock file and script. Asynchronous, so mocha's timers
 * keep running during a first install (a minute or two of native builds).
 */
export async function ensureHostInstalled(timeoutMs = 15 * 60_000): Promise<void> {
  const proc = spawnGroup('install.sh', 'bash', [path.join(HOST_DIR, 'install.sh')]);
  const status = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { void proc.kill(); }, timeoutMs);
    proc.child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
  const out = proc.output();
  if (status !== 0 || !fs.existsSync(ENTRY)) {
    throw new Error(
      `installing code-server with test/editor/host/install.sh failed (exit ${status}):\n${out.slice(-4000)}\n` +
        '(on Debian: apt-get install -y ripgrep libkrb5-dev python3 make g++; .ci/run does this)',
    );
  }
  if (!/already installed/.test(out)) process.stdout.write(out);
}

/** Extension id and folder name VS Code expects, from the root package.json. */
function extensionIdentity(): { id: string; folder: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    publisher: string; name: string; version: string;
  };
  const id = `${pkg.publisher}.${pkg.name}`;
  return { id, folder: `${id}-${pkg.version}` };
}

/** The .vsix `npm run package` built (artifacts/packages.json). */
export function packagedVsix(): string {
  const report = path.join(REPO_ROOT, 'artifacts', 'packages.json');
  const vsix = fs.existsSync(report) ? path.join(REPO_ROOT, JSON.parse(fs.readFileSync(report, 'utf8')).vsix.file) : '';
  if (!vsix || !fs.existsSync(vsix)) throw new Error('the packaged .vsix is missing: run `npm run build && npm run package` first (npm test does)');
  return vsix;
}

/**
 * `code-server --install-extension <vsix>` into the throwaway extensions dir, as a user
 * installs a downloaded .vsix; resolves with the installed extension's folder.
 */
async function installVsix(extensions: string, userData: string, config: string, tempRoot: string): Promise<string> {
  const vsix = packagedVsix();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  Object.assign(env, { XDG_CONFIG_HOME: path.join(tempRoot, 'xdg', 'config'), XDG_DATA_HOME: path.join(tempRoot, 'xdg', 'data'), XDG_CACHE_HOME: path.join(tempRoot, 'xdg', 'cache') });
  const proc = spawnGroup('install-extension', process.execPath, [
    ENTRY, '--config', config, '--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix,
  ], { cwd: tempRoot, env });
  const status = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => { void proc.kill(); }, 120_000);
    proc.child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
  const { folder } = extensionIdentity();
  const installed = path.join(extensions, folder);
  if (status !== 0 || !fs.existsSync(path.join(installed, 'package.json'))) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${status}):\n${proc.output().slice(-4000)}`);
  }
  if (fs.lstatSync(installed).isSymbolicLink()) throw new Error(`${installed} is a symlink, not an installed copy`);
  return installed;
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

/** Options of {@link startCodeServer}. */
export interface CodeServerOptions {
  startTimeoutMs?: number;
  /**
   * Install the packaged .vsix (artifacts/, `npm run package`) into the extensions directory
   * with `code-server --install-extension` before the server starts (default true). Off when the
   * workbench loads the repository as a development extension (extensionDevelopmentPath).
   */
  installExtension?: boolean;
  /**
   * Start with workspace trust ON (default off: `--disable-workspace-trust`). The user-data dir
   * is fresh, so no folder has ever been trusted, and the startup prompt is off, so the opened
   * workspace stays untrusted (restricted mode) until someone trusts it.
   */
  workspaceTrust?: boolean;
  /** Extra environment for the server and its extension host (e.g. the editor suite's GOVERNANCE_EDITOR_TEST_*). */
  env?: Record<string, string>;
}

/** User settings of a server started with workspace trust on: untrusted, no modal prompt. */
export const UNTRUSTED_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
  'security.workspace.trust.untrustedFiles': 'open',
  'security.workspace.trust.banner': 'always',
};

/** Starts code-server and resolves once its HTTP server answers /healthz. */
export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  await ensureHostInstalled();
  const tempRoot = removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), 'gov-editor-')));
  const userData = path.join(tempRoot, 'user-data');
  const extensions = path.join(tempRoot, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions);
  for (const d of ['config', 'data', 'cache']) fs.mkdirSync(path.join(tempRoot, 'xdg', d), { recursive: true });
  const trust = opts.workspaceTrust ?? false;
  const settings = trust ? { ...USER_SETTINGS, ...UNTRUSTED_SETTINGS } : USER_SETTINGS;
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const config = path.join(tempRoot, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const ident = extensionIdentity();
  const installed = opts.installExtension ?? true ? await installVsix(extensions, userData, config, tempRoot) : undefined;

  const port = await freeLoopbackPort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: path.join(tempRoot, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(tempRoot, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(tempRoot, 'xdg', 'cache'),
    ...opts.env,
  });
  delete env.PORT;
  const args = [
    ENTRY, '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override', '--disable-proxy', '--ignore-last-opened',
    '--user-data-dir', userData, '--extensions-dir', extensions,
  ];
  const proc: GroupProcess = spawnGroup('code-server', process.execPath, args, { cwd: REPO_ROOT, env });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await proc.waitForOutput(/HTTP server listening on http:\/\/127\.0\.0\.1:\d+/, startTimeoutMs);
    await poll('code-server /healthz', startTimeoutMs, async () =>
      ((await httpStatus(`${url}healthz`, 2000)) === 200 ? true : undefined));
  } catch (err) {
    await proc.kill().catch(() => undefined);
    fs.rmSync(tempRoot, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    pid: proc.pid,
    tempRoot,
    extensionId: ident.id,
    installedExtension: installed,
    folderUrl: (folder) => `${url}?folder=${encodeURIComponent(folder)}`,
    output: () => proc.output(),
    async stop() {
      try {
        await proc.kill();
      } finally {
        fs.rmSync(tempRoot, { recursive: true, force: true });
      }
    },
  };
}
