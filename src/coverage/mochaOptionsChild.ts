/**
 * Reads the workspace's mocha options with mocha's own `loadOptions`, in a short-lived process
 * started by mochaSetup.ts with the workspace root as its working directory (mocha looks for
 * `.mocharc.*` and package.json from the cwd, may `require` a `.mocharc.js`, and calls
 * `process.exit` on a bad argument: none of that may happen in the editor's process).
 *
 * Input: `GOVCOV_MOCHA` = JSON `{ argv, mochaDir, noConfig }`. Output: one line on stdout,
 * `GOVCOV_MOCHA_OPTIONS <json>` (a `.mocharc.js` may print before it), with the options split
 * into mocha's and node's the way mocha's own `bin/mocha.js` splits them.
 */
import * as path from 'path';

interface Input {
  argv: string[];
  mochaDir: string;
  /** Do not read a config file that is code (`.mocharc.js`/`.cjs`): untrusted workspace. */
  noCodeConfig: boolean;
}

const input = JSON.parse(process.env.GOVCOV_MOCHA ?? '{}') as Input;
const lib = (p: string) => require(path.join(input.mochaDir, 'lib', p));

function main(): void {
  const { loadOptions } = lib('cli/options');
  const { isNodeFlag, unparseNodeFlags } = lib('cli/node-flags');
  const { findConfig } = lib('cli/config');
  const argv = [...input.argv];
  const explicit = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  let configFile: string | undefined = explicit >= 0 ? (argv[explicit].includes('=') ? argv[explicit].split('=')[1] : argv[explicit + 1]) : findConfig?.();
  const skipped: string[] = [];
  if (configFile && input.noCodeConfig && /\.c?js$/.test(configFile)) {
    skipped.push(configFile);
    if (explicit >= 0) argv.splice(explicit, argv[explicit].includes('=') ? 1 : 2);
    argv.push('--no-config');
    configFile = undefined;
  }
  const opts = loadOptions(argv) as Record<string, unknown>;
  const mocha: Record<string, unknown> = {};
  const node: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) (isNodeFlag(k) ? node : mocha)[k] = v;
  const nodeOption = mocha['node-option'] as string[] | undefined;
  const nodeArgs: string[] = nodeOption ? nodeOption.map((o) => `--${o}`) : unparseNodeFlags(node);
  delete mocha['node-option'];
  const out = { options: mocha, nodeArgs, configFile: configFile ? path.resolve(configFile) : undefined, skipped };
  process.stdout.write(`\nGOVCOV_MOCHA_OPTIONS ${JSON.stringify(out)}\n`);
}

try {
  main();
} catch (err) {
  process.stdout.write(`\nGOVCOV_MOCHA_OPTIONS ${JSON.stringify({ error: (err as Error).message })}\n`);
}
