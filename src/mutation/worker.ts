/**
 * The mutation worker: a child process of ours (started by run.ts as the leader of its own
 * process group) in which StrykerJS runs as a library — `new Stryker(options).runMutationTest()`
 * from `@stryker-mutator/core`. StrykerJS offers no abort, and it forks its test runners as
 * children of this process (same group), so cancelling is the parent killing this group.
 *
 * Protocol (IPC): the parent sends `{ type: 'start', options }` (StrykerJS options built by
 * options.ts); the worker sends the reporter events of progressPlugin.cjs as they happen, then
 * `{ type: 'done' }` or `{ type: 'error', message }`, and exits. If the parent goes away, the
 * worker kills its own group: no process of a run outlives it.
 */
import { pathToFileURL } from 'url';

type Message = Record<string, unknown> & { type: string };

const send = (m: Message): void => {
  if (process.connected) process.send?.(m);
};

/** `import()` kept as is by tsc's CommonJS output (StrykerJS is an ES module). */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

async function run(options: Record<string, unknown>, root: string): Promise<void> {
  process.chdir(root);
  (globalThis as { __governanceMutationSink?: (m: Message) => void }).__governanceMutationSink = send;
  const core = (await importEsm(pathToFileURL(require.resolve('@stryker-mutator/core')).href)) as {
    Stryker: new (options: Record<string, unknown>) => { runMutationTest(): Promise<unknown[]> };
  };
  await new core.Stryker(options).runMutationTest();
}

let finished = false;

/** Ends this process and every process StrykerJS started (they share our process group). */
function killGroup(): void {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(1);
  }
}

function finish(m: Message, code: number): void {
  finished = true;
  if (!process.connected) process.exit(code);
  process.send!(m, undefined, undefined, () => process.exit(code));
}

process.on('disconnect', () => {
  if (!finished) killGroup();
});
process.once('message', (m: Message) => {
  if (m.type !== 'start') return;
  run(m.options as Record<string, unknown>, m.root as string).then(
    () => finish({ type: 'done' }, 0),
    (e: unknown) => finish({ type: 'error', message: e instanceof Error ? e.message : String(e) }, 1),
  );
});
