/**
 * Linear-time glob matching for globs a workspace supplies (hint rules), where a crafted glob
 * must not stall the analysis.
 *
 * picomatch (and micromatch, which uses it) compile a glob to a backtracking regular expression:
 * `"*a"`×22 + `"b"` becomes `[^/]*?a[^/]*?a…b`, and matching it against a name of 36 `a`s took
 * 30 s here (picomatch 4.0.3), 40 more `a`s years. So the glob is compiled to tokens and matched
 * by simulating the automaton on the set of token positions — O(glob length × text length), no
 * backtracking. Semantics follow picomatch with `dot: true` for the supported syntax, which a
 * property test checks against picomatch on short inputs: `*` (any run without `/`), `?` (one
 * character but `/`), `**` as a whole segment (any number of segments), `[abc]`, `[a-z]`,
 * `[^a]` and `[!a]` (negated, as in bash: picomatch reads `[!a]` as `!` or `a`), `{a,b}` (at most {@link MAX_ALTERNATIVES} alternatives), `\x` (a literal x).
 * Other characters, extglobs included, are literals.
 */

/** Brace expansion beyond this many alternatives keeps the braces as literals. */
export const MAX_ALTERNATIVES = 64;

type Token =
  | { k: 'char'; c: string }
  | { k: 'one' }
  /** `*`: any run of characters without `/`. */
  | { k: 'star' }
  /** `**` as the whole glob, or after `/` at its end: anything. */
  | { k: 'any' }
  /** `**` of `**​/` (its `/` is the next token): skipped with that `/`, or any run that ends before a `/`. */
  | { k: 'dirs' }
  | { k: 'class'; negate: boolean; test: (c: string) => boolean };

/** `{a,b}` → alternatives (first top-level brace group with a comma, recursively). */
function expandBraces(glob: string, budget: { left: number }): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{' && depth++ === 0) open = i;
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && depth > 0 && --depth === 0) {
      if (!commas.length) {
        open = -1;
        continue;
      }
      const cuts = [open, ...commas, i];
      const parts = cuts.slice(1).map((end, j) => glob.slice(cuts[j] + 1, end));
      budget.left -= parts.length - 1;
      if (budget.left < 0) return [glob];
      const rest = glob.slice(i + 1);
      return parts.flatMap((p) => expandBraces(glob.slice(0, open) + p + rest, budget));
    }
  }
  return [glob];
}

function parseClass(glob: string, from: number): { token: Token; end: number } | undefined {
  let i = from + 1;
  const negate = glob[i] === '!' || glob[i] === '^';
  if (negate) i++;
  const ranges: Array<[string, string]> = [];
  for (let first = true; i < glob.length && (glob[i] !== ']' || first); i++, first = false) {
    let lo = glob[i];
    if (lo === '\\' && i + 1 < glob.length) lo = glob[++i];
    let hi = lo;
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      hi = glob[i + 2] === '\\' && i + 3 < glob.length ? glob[(i += 3)] : glob[(i += 2)];
    }
    ranges.push([lo, hi]);
  }
  if (i >= glob.length) return undefined; // no closing `]`: a literal `[`
  const inside = (c: string) => ranges.some(([lo, hi]) => c >= lo && c <= hi);
  return { token: { k: 'class', negate, test: (c) => c !== '/' && inside(c) !== negate }, end: i };
}

function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const segmentStart = i === 0 || glob[i - 1] === '/';
    if (c === '*') {
      let end = i;
      while (glob[end] === '*') end++;
      // `**` alone in its segment spans segments; any other run of stars is one `*`.
      if (end - i === 2 && segmentStart && (end === glob.length || glob[end] === '/')) {
        tokens.push(end === glob.length ? { k: 'any' } : { k: 'dirs' }); // `dirs` is followed by its `/`
        i = end - 1;
      } else {
        tokens.push({ k: 'star' });
        i = end - 1;
      }
    } else if (c === '?') tokens.push({ k: 'one' });
    else if (c === '[') {
      const cls = parseClass(glob, i);
      if (cls) {
        tokens.push(cls.token);
        i = cls.end;
      } else tokens.push({ k: 'char', c });
    } else if (c === '\\' && i + 1 < glob.length) tokens.push({ k: 'char', c: glob[++i] });
    else tokens.push({ k: 'char', c });
  }
  return tokens;
}

/** `src/**` also matches `src` itself: the alternative without the trailing `/**`. */
function alternatives(glob: string): Token[][] {
  return expandBraces(glob, { left: MAX_ALTERNATIVES }).flatMap((g) => {
    const tokens = tokenize(g.replace(/(^|\/)\*\*(?:\/\*\*)+(?=\/|$)/g, '$1**')); // `**/**` is `**`
    const n = tokens.length;
    if (n >= 2 && tokens[n - 1].k === 'any' && tokens[n - 2].k === 'char' && (tokens[n - 2] as { c: string }).c === '/') {
      // As in picomatch: unless the segment before ends with `*` (`src/**` matches `src`, `a*/**` not `a`).
      if (tokens[n - 3]?.k !== 'star') return [tokens, tokens.slice(0, n - 2)];
    }
    return [tokens];
  });
}

/** The positions of the automaton that are active: bit 1 present, bit 2 its skips followed. */
interface Active {
  flags: Uint8Array;
  list: number[];
}

const add = (a: Active, i: number) => {
  if (a.flags[i] & 1) return;
  a.flags[i] |= 1;
  a.list.push(i);
};

/** Arrive at `i` and at what can be skipped from it without reading: `*`, `**`, a whole `**​/`. */
function enter(tokens: Token[], a: Active, i: number): void {
  while (i <= tokens.length) {
    add(a, i);
    if (a.flags[i] & 2) return;
    a.flags[i] |= 2;
    const k = tokens[i]?.k;
    if (k === 'star' || k === 'any') i++;
    else if (k === 'dirs') i += 2; // `**` and its `/`
    else return;
  }
}

function step(tokens: Token[], from: Active, c: string): Active {
  const to: Active = { flags: new Uint8Array(tokens.length + 1), list: [] };
  for (const i of from.list) {
    const t = tokens[i];
    if (!t) continue;
    if (t.k === 'char') {
      if (t.c === c) enter(tokens, to, i + 1);
    } else if (t.k === 'one' || t.k === 'class') {
      if (c !== '/' && (t.k === 'one' || t.test(c))) enter(tokens, to, i + 1);
    } else if (t.k === 'star') {
      if (c !== '/') enter(tokens, to, i);
    } else if (t.k === 'any') enter(tokens, to, i);
    else {
      // Inside `**​/`: keep reading, or end here with its `/` next.
      add(to, i);
      add(to, i + 1);
    }
  }
  return to;
}

function matchTokens(tokens: Token[], text: string): boolean {
  let active: Active = { flags: new Uint8Array(tokens.length + 1), list: [] };
  enter(tokens, active, 0);
  for (const c of text) {
    active = step(tokens, active, c);
    if (!active.list.length) return false;
  }
  return (active.flags[tokens.length] & 1) === 1;
}

/** A predicate matching whole strings against `glob`, in time linear in the text. */
export function globMatcher(glob: string): (text: string) => boolean {
  const alts = alternatives(glob);
  return (text) => alts.some((tokens) => matchTokens(tokens, text));
}

/** Does `text` match `glob`? (See {@link globMatcher}.) */
export function globMatch(text: string, glob: string): boolean {
  return globMatcher(glob)(text);
}
