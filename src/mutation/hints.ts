/**
 * Mutant hints in plain words: where a mutant sits (`RATING_BOOST[1]`, `ProposalService.approve`),
 * the sentence "no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`", what kind of
 * assertion would kill it (the exact value, the boundary, the refusal, the order, …) chosen from
 * the StrykerJS mutator and the original code, and the mutant's diff for the hover.
 */
import * as ts from 'typescript';

/** The kind of assertion that kills a mutant. */
export type AssertKind = 'exact value' | 'boundary' | 'both outcomes' | 'refusal' | 'effect' | 'exact text' | 'contents' | 'order' | 'pattern' | 'missing value';

/** What to assert, in words, per kind. */
export const ASSERT_ADVICE: Record<AssertKind, string> = {
  'exact value': 'the exact value, written as a literal from the spec (never read back from the constant under test)',
  boundary: 'the boundary: one case exactly at the limit and one just past it',
  'both outcomes': 'both outcomes of the condition: one case where it holds and one where it does not',
  refusal: 'the refusal: the error (type and code) and that nothing was changed',
  effect: 'the effect of this code: the returned value and the rows / state it changes',
  'exact text': 'the exact text (message, code or stored value)',
  contents: 'the exact contents (every element or field)',
  order: 'the order of the results or of the steps',
  pattern: 'inputs the pattern must refuse (e.g. one that only passes without the anchor or quantifier)',
  'missing value': 'the behaviour when the value is missing (null / undefined)',
};

/** Short words for a test title, per kind. */
export const ASSERT_TITLE: Record<AssertKind, string> = {
  'exact value': 'the exact value', boundary: 'the boundary', 'both outcomes': 'both outcomes', refusal: 'the refusal',
  effect: 'its effect', 'exact text': 'the exact text', contents: 'the exact contents', order: 'the order',
  pattern: 'what the pattern refuses', 'missing value': 'a missing value',
};

const BOUNDARY = [['<', '<='], ['>', '>='], ['<=', '<'], ['>=', '>']];

/** The assertion a mutant needs, from its mutator, original code and replacement. */
export function assertKind(mutatorName: string, original: string, replacement: string): AssertKind {
  switch (mutatorName) {
    case 'EqualityOperator': {
      const op = (s: string) => /(<=|>=|===|!==|==|!=|<|>)/.exec(s)?.[1];
      const [a, b] = [op(original), op(replacement)];
      return BOUNDARY.some(([x, y]) => a === x && b === y) ? 'boundary' : 'both outcomes';
    }
    case 'ConditionalExpression':
    case 'BooleanLiteral':
    case 'LogicalOperator':
      return /\bthrow\b/.test(original) ? 'refusal' : 'both outcomes';
    case 'BlockStatement':
      return /\bthrow\b/.test(original) ? 'refusal' : 'effect';
    case 'StringLiteral':
      return 'exact text';
    case 'ArrayDeclaration':
    case 'ObjectLiteral':
      return 'contents';
    case 'MethodExpression':
      return /\.(sort|reverse|toSorted|toReversed)\b/.test(original) ? 'order'
        : /\.(filter|some|every|find|includes)\b/.test(original) ? 'both outcomes'
        : /\.(startsWith|endsWith|trim\w*|to(Upper|Lower)Case|substring|slice|charAt)\b/.test(original) ? 'exact text' : 'exact value';
    case 'Regex':
      return 'pattern';
    case 'OptionalChaining':
      return 'missing value';
    default:
      return 'exact value';
  }
}

function nameText(name: ts.PropertyName | ts.BindingName, sf: ts.SourceFile): string {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return `.${name.text}`;
  if (ts.isStringLiteral(name)) return `[${JSON.stringify(name.text)}]`;
  if (ts.isNumericLiteral(name)) return `[${name.text}]`;
  return `[${name.getText(sf)}]`;
}

/**
 * The named place holding `offset` outside functions: a variable, or a property path in the object
 * literal it is initialised with (`RATING_BOOST[1]`, `LIMITS.maxEpisodes`); undefined when none.
 */
export function valuePathAt(sf: ts.SourceFile, offset: number): string | undefined {
  let node: ts.Node | undefined;
  const find = (n: ts.Node): void => {
    if (offset >= n.getStart(sf) && offset < n.getEnd()) {
      node = n;
      ts.forEachChild(n, find);
    }
  };
  find(sf);
  for (let n = node; n; n = n.parent) if (ts.isFunctionLike(n)) return undefined;
  const parts: string[] = [];
  for (let n = node; n; n = n.parent) {
    if (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) parts.unshift(nameText(n.name, sf));
    else if ((ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n)) && ts.isIdentifier(n.name)) {
      const owner = ts.isPropertyDeclaration(n) && ts.isClassLike(n.parent) && n.parent.name ? `${n.parent.name.text}.` : '';
      return `${owner}${n.name.text}${parts.join('')}`;
    }
  }
  return undefined;
}

/** One-line code for a sentence: whitespace collapsed, long code shortened. */
export function codeSnippet(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A markdown code span of one-line code (double backticks when the code holds one). */
export function codeSpan(text: string): string {
  const t = codeSnippet(text);
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** "no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`" (NoCoverage: "no test runs …"). */
export function mutantSentence(status: string, original: string, replacement: string, subject: string): string {
  const change = `${codeSpan(original)} becomes ${codeSpan(replacement)}`;
  return status === 'NoCoverage'
    ? `no test runs ${codeSpan(subject)}, so nothing fails when ${change}`
    : `no test fails when ${change} in ${codeSpan(subject)}`;
}

/** The mutant as a unified diff of the lines it changes (for the hover's `diff` code block). */
export function mutantDiff(source: string, start: number, end: number, replacement: string, maxLines = 8): string {
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const nl = source.indexOf('\n', end);
  const lineEnd = nl < 0 ? source.length : nl;
  const before = source.slice(lineStart, lineEnd).split('\n');
  const after = (source.slice(lineStart, start) + replacement + source.slice(end, lineEnd)).split('\n');
  const clip = (lines: string[], sign: string) =>
    (lines.length > maxLines ? [...lines.slice(0, maxLines - 1), `${lines[0].match(/^\s*/)![0]}… (${lines.length - maxLines + 1} more lines)`] : lines).map((l) => `${sign} ${l}`);
  return [...clip(before, '-'), ...clip(after, '+')].join('\n');
}
