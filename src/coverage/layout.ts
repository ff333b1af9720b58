/**
 * The project's own test layout, read from its existing test files, so that a hint proposes a
 * test the way the project writes them: where a new test file goes and how it is named
 * (`test/res.json.js`, `src/x/__tests__/x-test.ts`, `test/unit/x.test.ts`), its language, the
 * assertion style (`assert` or `expect`), and how a test reaches a source file's exports — with
 * an import line copied from an existing test whenever one exists.
 */
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import * as ts from 'typescript';
import type { ResolvedConfig } from './model';
import { exportsOf } from './callPaths';

/** How a test reaches an exported name: the import line and the expression to use. */
export interface Access {
  /** e.g. `var bodyParser = require('..')`, `import { Headers } from '../src/index.js';` */
  importLine: string;
  /** e.g. `bodyParser.text`, `Headers` */
  expression: string;
  /** The line is not in any test yet (it imports an existing export of an existing module). */
  generated?: boolean;
}

export interface Layout {
  root: string;
  testFiles: string[];
  /** `assert` (node:assert) or `expect` (chai and the like). */
  assertStyle: 'assert' | 'expect';
  /** The test file a new test for `source` goes to (existing, or named like the others). */
  testFileFor(source: string): string;
  /** How a test in `testFile` reaches `name` exported by `source` (`undefined`: not exported). */
  accessFor(source: string, name: string, testFile: string): Access | undefined;
  /** For a new test file: the import lines a sibling test starts with that are not project sources (`assert`, `mocha`). */
  preambleFor(testFile: string): string[];
  /** An import line for `name` of `source` in the project's style (the export exists). */
  importFor(source: string, name: string, testFile: string): Access;
  /** True when the workspace is a governance project (the embedded suite, or one that says so). */
  governance: boolean;
}

interface Import {
  line: string;
  /** the module specifier as written */
  spec: string;
  /** resolved module file (absolute, no extension) */
  target: string;
  /** local bindings: name in the module ('default', '*' for a namespace/CJS module object) → local name */
  names: Array<[string, string]>;
}

const EXT = /\.(c|m)?(t|j)sx?$/;
const strip = (f: string) => f.replace(EXT, '');

function resolveModule(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${strip(base)}`, path.join(base, 'index')]) {
    for (const ext of ['', '.ts', '.js', '.mjs', '.cjs', '.tsx']) if (fs.existsSync(c + ext) && fs.statSync(c + ext).isFile()) return strip(c + ext);
  }
  return strip(base);
}

/** The imports of a test file (ESM `import` and CommonJS `require`). */
export function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = resolveModule(file, st.moduleSpecifier.text);
      const clause = st.importClause;
      if (!target || !clause || clause.isTypeOnly) continue;
      const names: Array<[string, string]> = [];
      if (clause.name) names.push(['default', clause.name.text]);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.push(['*', nb.name.text]);
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) if (!e.isTypeOnly) names.push([(e.propertyName ?? e.name).text, e.name.text]);
      out.push({ line: st.getText(sf), spec: st.moduleSpecifier.text, target, names });
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (!init || !ts.isCallExpression(init) || init.expression.getText(sf) !== 'require') continue;
        const arg = init.arguments[0];
        if (!arg || !ts.isStringLiteral(arg)) continue;
        const target = resolveModule(file, arg.text);
        if (!target) continue;
        const names: Array<[string, string]> = [];
        if (ts.isIdentifier(d.name)) names.push(['*', d.name.text]);
        else if (ts.isObjectBindingPattern(d.name)) {
          for (const e of d.name.elements) if (ts.isIdentifier(e.name)) names.push([(e.propertyName ?? e.name).getText(sf), e.name.text]);
        }
        out.push({ line: st.getText(sf), spec: arg.text, target, names });
      }
    }
  }
  return out;
}

/** Test file naming: the most common `prefix<name>suffix` among test files named after a source. */
function namingOf(testFiles: string[], sources: string[]): { dirOf: (source: string) => string; nameOf: (base: string) => string } | undefined {
  for (const t of testFiles) {
    const tb = path.basename(t);
    for (const s of sources) {
      const sb = path.basename(strip(s));
      const i = tb.indexOf(sb);
      if (sb.length < 3 || i < 0) continue;
      const [prefix, suffix] = [tb.slice(0, i), tb.slice(i + sb.length)];
      if (!/^[.\-_]?(test|spec)?[.\-_]?/.test(suffix)) continue;
      const rel = path.relative(path.dirname(s), path.dirname(t));
      // `__tests__` next to the source, else the test folder itself.
      const nextTo = !rel.startsWith('..') && !path.isAbsolute(rel);
      return {
        dirOf: (source) => (nextTo ? path.join(path.dirname(source), rel) : path.dirname(t)),
        nameOf: (base) => `${prefix}${base}${suffix}`,
      };
    }
  }
  return undefined;
}

function isGovernance(config: ResolvedConfig): boolean {
  if (config.embedded) return true;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(config.root, 'package.json'), 'utf8')) as { name?: string; keywords?: string[] };
    return /governance/i.test(pkg.name ?? '') || (pkg.keywords ?? []).some((k) => /governance/i.test(k));
  } catch {
    return false;
  }
}

/** The project's layout (test files listed once). */
export function layoutOf(config: ResolvedConfig, sourceFiles: string[]): Layout {
  const testFiles = fg.sync(config.testGlobs, { cwd: config.root, absolute: true, ignore: ['**/node_modules/**'] }).map((f) => path.resolve(f)).sort();
  const imports = new Map(testFiles.map((t) => [t, importsOf(t)]));
  const importer = (source: string) => testFiles.find((t) => imports.get(t)!.some((i) => i.target === strip(source)));
  const naming = namingOf(testFiles, sourceFiles);
  const sample = testFiles[0] ?? path.join(config.root, 'test', 'x.test.ts');
  const text = testFiles.slice(0, 5).map((t) => fs.readFileSync(t, 'utf8')).join('\n');
  const assertStyle = /\bexpect\(/.test(text) && !/\bassert\.\w+\(/.test(text) ? 'expect' : 'assert';
  return {
    root: config.root,
    testFiles,
    assertStyle,
    governance: isGovernance(config),
    testFileFor(source) {
      const hit = importer(source);
      if (hit) return hit;
      const base = path.basename(strip(source));
      const named = testFiles.find((t) => path.basename(t).startsWith(`${base}.`) || path.basename(t).startsWith(`${base}-`));
      if (named) return named;
      if (naming) return path.join(naming.dirOf(source), naming.nameOf(base));
      return path.join(path.dirname(sample), `${base}${path.basename(sample).replace(/^[^.\-_]+/, '')}`);
    },
    accessFor(source, name, testFile) {
      return accessFrom(imports, source, name, testFile, sourceFiles);
    },
    preambleFor(testFile) {
      const dir = path.dirname(testFile);
      const sibling = testFiles.find((t) => path.dirname(t) === dir) ?? testFiles.find((t) => path.basename(t).slice(-6) === path.basename(testFile).slice(-6)) ?? testFiles[0];
      if (!sibling) return [];
      const text = fs.readFileSync(sibling, 'utf8');
      const sf = ts.createSourceFile(sibling, text, ts.ScriptTarget.Latest, true);
      const lines: string[] = [];
      for (const st of sf.statements) {
        const t = st.getText(sf);
        if (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression)) lines.push(t); // 'use strict'
        else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && !st.moduleSpecifier.text.startsWith('.')) lines.push(t);
        else if (ts.isVariableStatement(st) && /require\(\s*['"][^.]/.test(t)) lines.push(t);
      }
      return lines;
    },
    importFor(source, name, testFile) {
      return importLine(imports, source, name, testFile);
    },
  };
}

/** How `name` of `source` is reached: through an existing test's import (direct or via a re-exporting module). */
function accessFrom(imports: Map<string, Import[]>, source: string, name: string, testFile: string, sourceFiles: string[]): Access | undefined {
  const want = strip(source);
  const routes = exportRoutes(want, name, sourceFiles);
  const own = imports.get(testFile) ?? [];
  const ordered = [...own, ...[...imports].filter(([t]) => t !== testFile).flatMap(([, l]) => l)];
  for (const imp of ordered) {
    for (const [module, exported] of routes) {
      if (imp.target !== module) continue;
      for (const [imported, local] of imp.names) {
        if (imported === exported) return { importLine: imp.line, expression: local };
        if (imported === '*') return { importLine: imp.line, expression: exported === 'module.exports' ? local : `${local}.${exported}` };
      }
    }
  }
  // A test imports names from a module that also exports this one: the same import, this name.
  for (const imp of ordered) {
    const route = routes.find(([module, exported]) => imp.target === module && exported !== 'module.exports' && exported !== 'default');
    if (route && imp.line.startsWith('import ') && imp.names.some(([n]) => n !== '*' && n !== 'default')) {
      const semi = imp.line.trimEnd().endsWith(';') ? ';' : '';
      const braces = /\{\s/.test(imp.line) ? `{ ${route[1]} }` : `{${route[1]}}`;
      return { importLine: `import ${braces} from '${imp.spec}'${semi}`, expression: route[1], generated: true };
    }
  }
  return undefined;
}

/** A new import line in the style of the project's tests (ESM or `require`, extension or not). */
function importLine(imports: Map<string, Import[]>, source: string, name: string, testFile: string): Access {
  const all = [...imports.values()].flat();
  const cjs = all.length > 0 && all.every((i) => /\brequire\(/.test(i.line));
  const withExt = all.some((i) => /\.[cm]?js$/.test(i.spec));
  let rel = path.relative(path.dirname(testFile), source).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  if (!withExt) rel = strip(rel);
  else rel = rel.replace(/\.ts$/, '.js');
  const local = name === 'default' || name === 'module.exports' ? path.basename(strip(source)).replace(/[^\w$]+(\w)/g, (_, c: string) => c.toUpperCase()) : name;
  const semi = all.some((i) => i.line.trimEnd().endsWith(';')) ? ';' : '';
  const decl = all.some((i) => /^var\b/.test(i.line)) ? 'var' : 'const';
  if (cjs) {
    return { importLine: name === 'module.exports' ? `${decl} ${local} = require('${rel}')${semi}` : `${decl} { ${name} } = require('${rel}')${semi}`, expression: local, generated: true };
  }
  const what = name === 'default' || name === 'module.exports' ? local : `{ ${name} }`;
  return { importLine: `import ${what} from '${rel}'${semi}`, expression: local, generated: true };
}

/** [module (no extension), exported name] pairs that give `name` of `module`: itself, then re-exports. */
function exportRoutes(module: string, name: string, sourceFiles: string[]): Array<[string, string]> {
  const routes: Array<[string, string]> = [[module, name]];
  for (const f of sourceFiles) {
    for (const e of exportsOf(f)) if (e.from === module && e.imported === name) routes.push([strip(f), e.exported]);
  }
  return routes;
}
