/**
 * Command-line options of the CLI's commands (`run`, `report`, `merge` in cli.ts, `mutate` in
 * mutation/cli.ts), read by Node's own `util.parseArgs` (strict: an unknown option or a missing
 * value is an error) instead of a hand-written tokenizer. Options come back as tokens in the order
 * given, so a later `--no-per-test` wins over an earlier `--per-test`; each command interprets
 * them. Errors are thrown as usage sentences (strings) in our words: `unknown option "--x"`,
 * `--root needs a value`, `--hints needs an integer ≥ 0`.
 */
import { parseArgs } from 'node:util';

/** The options a command accepts: each a flag (boolean) or takes a value (string). */
export type OptionSpec = Record<string, 'boolean' | 'string'>;

/** One option as given (`value` for the string ones), or a positional argument. */
export type ArgToken = { kind: 'option'; name: string; value?: string } | { kind: 'positional'; value: string };

function usageSentence(err: unknown): string {
  const { code, message } = err as { code?: string; message: string };
  const name = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option "${name}"`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(message)) return `${name} needs a value`;
    if (/ambiguous/.test(message)) return `${name} needs a value (write ${name}=VALUE for a value that starts with "-")`;
    return `${name} takes no value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${/'([^']*)'/.exec(message)?.[1] ?? ''}"`;
  throw err;
}

/** The options of `argv` in order; positionals only where `positionals` allows them. */
export function readOptions(argv: string[], spec: OptionSpec, positionals = false): ArgToken[] {
  const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }]));
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals, tokens: true }));
  } catch (err) {
    throw usageSentence(err);
  }
  const out: ArgToken[] = [];
  for (const t of tokens) {
    if (t.kind === 'option') out.push({ kind: 'option', name: `--${t.name}`, value: t.value });
    else if (t.kind === 'positional') out.push({ kind: 'positional', value: t.value });
  }
  return out;
}

/** The integer value of `token`, at least `min`; throws the usage sentence otherwise. */
export function integerOption(token: ArgToken & { kind: 'option' }, min: number): number {
  const n = Number(token.value);
  if (token.value === undefined || token.value.trim() === '' || !Number.isInteger(n) || n < min) throw `${token.name} needs an integer ≥ ${min}`;
  return n;
}
