/** CPU time (user+sys of the whole process tree) per mode: robust to other load on the machine. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { generateSuite } from './bench';
import { embeddedConfig, loadConfig, startRun } from '../src/coverage/index';

async function one(): Promise<void> {
  const [root, mode] = process.argv.slice(3);
  const config = root === 'embedded' ? embeddedConfig() : await loadConfig(root);
  const opts = mode === 'nopt' ? { perTest: false } : mode === 'takes' ? { env: { GOVCOV_PER_TEST: 'takes' } } : {};
  const r = await startRun({ config, ...opts }).result;
  if (r.error) throw new Error(r.error);
}

function cpu(args: string[], cwd: string): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', ...args], { cwd, encoding: 'utf8' });
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.trim());
  if (!m) throw new Error(r.stderr.slice(-500));
  return Number(m[1]) + Number(m[2]);
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const gen = generateSuite();
  const suites: Array<[string, string]> = [['governance', 'embedded'], ['generated 200×50', gen]];
  for (const [name, root] of suites) {
    const config = root === 'embedded' ? embeddedConfig() : await loadConfig(root);
    const mocha = require.resolve('mocha/bin/mocha.js', { paths: [config.root, __dirname] });
    const bare = [process.execPath, mocha, '--exit', '--reporter', 'dot', '--timeout', String(config.timeout), ...config.require.flatMap((r) => ['--require', r]), ...config.testGlobs];
    const self = [process.execPath, ...process.execArgv, __filename, 'one', root];
    const modes: Array<[string, string[]]> = [['bare mocha', bare], ['coverage, no per-test', [...self, 'nopt']], ['coverage + per-test probes', [...self, 'probes']]];
    if (name === 'governance' || process.env.BENCH_TAKES === '1') modes.push(['per-test by V8 takes', [...self, 'takes']]);
    const t: number[][] = modes.map(() => []);
    for (let i = 0; i < runs; i++) modes.forEach(([, args], k) => t[k].push(cpu(args, config.root)));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    modes.forEach(([m], k) => console.log(`${name.padEnd(18)} ${m.padEnd(28)} cpu ${med(t[k]).toFixed(2)} s  ratio ${(med(t[k]) / med(t[0])).toFixed(2)}  [${t[k].map((x) => x.toFixed(2)).join(' ')}]`));
  }
  fs.rmSync(gen, { recursive: true, force: true });
}

if (process.argv[2] === 'one') one().catch((e) => { console.error(e); process.exit(1); });
else if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
