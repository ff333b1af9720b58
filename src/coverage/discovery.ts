/**
 * Static test discovery: parses mocha test files with the TypeScript compiler API and returns the
 * file → suites → tests tree, never executing workspace code. Ids come from `testId`, so they
 * equal the ids the runtime events carry. Pure apart from `discoverTests`, which reads files.
 */
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import * as ts from 'typescript';
import { testId, type DiscoveredNode, type Range } from './model';

/** Callee names that open a suite (bdd + tdd + exports-style aliases mocha ships). */
const SUITE_NAMES = new Set(['describe', 'context', 'suite']);
/** Callee names that declare a test. */
const TEST_NAMES = new Set(['it', 'test', 'specify']);
/** Pending aliases: `xdescribe`, `xit`, ... */
const PENDING_SUITES = new Set(['xdescribe', 'xcontext']);
const PENDING_TESTS = new Set(['xit', 'xspecify']);

interface CallInfo {
  kind: 'suite' | 'test';
  skipped: boolean;
}

/** Classifies a call's callee: `describe`, `describe.only`, `it.skip`, `xit`, ... */
function classifyCallee(callee: ts.Expression): CallInfo | undefined {
  if (ts.isIdentifier(callee)) {
    const name = callee.text;
    if (SUITE_NAMES.has(name)) return { kind: 'suite', skipped: false };
    if (TEST_NAMES.has(name)) return { kind: 'test', skipped: false };
    if (PENDING_SUITES.has(name)) return { kind: 'suite', skipped: true };
    if (PENDING_TESTS.has(name)) return { kind: 'test', skipped: true };
    return undefined;
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const base = classifyCallee(callee.expression);
    const modifier = callee.name.text;
    if (!base || base.skipped || (modifier !== 'only' && modifier !== 'skip')) return undefined;
    return { kind: base.kind, skipped: modifier === 'skip' };
  }
  return undefined;
}

/** A title the parser can know without running code: a string or a template without `${}`. */
function staticTitle(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return arg.text;
  return undefined;
}

function rangeOf(node: ts.Node, sf: ts.SourceFile): Range {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return {
    start: { line: start.line + 1, column: start.character },
    end: { line: end.line + 1, column: end.character },
  };
}

/** The callback whose body holds a suite's children (`function () {}` or `() => {}`). */
function callbackBody(call: ts.CallExpression): ts.Node | undefined {
  for (let i = call.arguments.length - 1; i >= 1; i--) {
    const arg = call.arguments[i];
    if (ts.isFunctionExpression(arg) || ts.isArrowFunction(arg)) return arg.body;
  }
  return undefined;
}

function addChild(parent: DiscoveredNode, child: DiscoveredNode): DiscoveredNode {
  const existing = parent.children.find((c) => c.id === child.id);
  if (existing) {
    // Same title twice in one suite: mocha reports both under one id; merge suites, keep the first test.
    if (existing.kind === 'suite' && child.kind === 'suite') return existing;
    return existing;
  }
  parent.children.push(child);
  return child;
}

/**
 * Parses one test file's text into a file node. A syntax error yields a file node with `error`
 * set (and whatever tests could still be recognised).
 */
export function discoverTestFile(file: string, text: string, root: string): DiscoveredNode {
  const abs = path.resolve(file);
  const fileNode: DiscoveredNode = {
    kind: 'file',
    id: testId(abs, []),
    label: path.relative(root, abs).split(path.sep).join('/'),
    file: abs,
    titlePath: [],
    children: [],
  };
  const kind = /\.[cm]?jsx?$/.test(abs) ? ts.ScriptKind.JS : abs.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, true, kind);
  const diagnostics = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    const d = diagnostics[0];
    const pos = sf.getLineAndCharacterOfPosition(d.start);
    fileNode.error = `Syntax error at ${fileNode.label}:${pos.line + 1}:${pos.character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  }

  const visit = (node: ts.Node, parent: DiscoveredNode, skipped: boolean): void => {
    if (ts.isCallExpression(node)) {
      const info = classifyCallee(node.expression);
      const title = info ? staticTitle(node.arguments[0]) : undefined;
      if (info && title !== undefined) {
        const titlePath = [...parent.titlePath, title];
        const isSkipped = skipped || info.skipped;
        const child: DiscoveredNode = {
          kind: info.kind,
          id: testId(abs, titlePath),
          label: title,
          file: abs,
          titlePath,
          range: rangeOf(node, sf),
          children: [],
        };
        if (isSkipped) child.skipped = true;
        const added = addChild(parent, child);
        if (info.kind === 'suite') {
          const body = callbackBody(node);
          if (body) ts.forEachChild(body, (n) => visit(n, added, isSkipped));
        }
        return;
      }
    }
    ts.forEachChild(node, (n) => visit(n, parent, skipped));
  };
  ts.forEachChild(sf, (n) => visit(n, fileNode, false));
  return fileNode;
}

/** Globs relative to `root` → a predicate on absolute paths. */
export function testFileMatcher(root: string, testGlobs: readonly string[], ignore: readonly string[] = []): (file: string) => boolean {
  const isMatch = picomatch([...testGlobs], { dot: false, ignore: [...ignore] });
  return (file: string) => {
    const rel = path.relative(root, path.resolve(file)).split(path.sep).join('/');
    return !rel.startsWith('..') && !path.isAbsolute(rel) && isMatch(rel);
  };
}

/** Lists the test files of `testGlobs` under `root` (absolute, sorted). */
export async function listTestFiles(root: string, testGlobs: readonly string[], ignore: readonly string[] = []): Promise<string[]> {
  const files = await fg([...testGlobs], {
    cwd: root,
    absolute: true,
    onlyFiles: true,
    ignore: ['**/node_modules/**', ...ignore],
  });
  return files.map((f) => path.resolve(f)).sort();
}

/**
 * Discovers every test file of `testGlobs` under `root`. A file that cannot be read becomes a file
 * node with `error`. `readText` may supply unsaved editor contents.
 */
export async function discoverTests(
  root: string,
  testGlobs: readonly string[],
  readText: (file: string) => Promise<string> = (f) => fs.promises.readFile(f, 'utf8'),
): Promise<DiscoveredNode[]> {
  const files = await listTestFiles(root, testGlobs);
  return Promise.all(
    files.map(async (file) => {
      try {
        return discoverTestFile(file, await readText(file), root);
      } catch (err) {
        const node = discoverTestFile(file, '', root);
        node.error = `Cannot read ${node.label}: ${(err as Error).message}`;
        return node;
      }
    }),
  );
}

/** Flattens a tree into its nodes, depth first (useful for ids and lookups). */
export function flattenNodes(nodes: readonly DiscoveredNode[]): DiscoveredNode[] {
  const out: DiscoveredNode[] = [];
  const walk = (n: DiscoveredNode): void => {
    out.push(n);
    n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}
