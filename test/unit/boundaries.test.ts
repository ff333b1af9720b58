import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const repo = path.resolve(__dirname, '../..');

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.(c|m)?tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports or requires, including `import type` and `import('x')` types. */
export function importedModules(file: string, text: string): Array<{ module: string; typeOnly: boolean; line: number }> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ module: string; typeOnly: boolean; line: number }> = [];
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(n) ? !!n.importClause?.isTypeOnly : n.isTypeOnly;
      out.push({ module: n.moduleSpecifier.text, typeOnly, line: line(n) });
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) {
      out.push({ module: n.moduleReference.expression.text, typeOnly: n.isTypeOnly, line: line(n) });
    } else if (ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]) &&
      ((ts.isIdentifier(n.expression) && n.expression.text === 'require') || n.expression.kind === ts.SyntaxKind.ImportKeyword)) {
      out.push({ module: n.arguments[0].text, typeOnly: false, line: line(n) });
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      out.push({ module: n.argument.literal.text, typeOnly: true, line: line(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('layer boundaries', () => {
  const sources = [...tsFiles(path.join(repo, 'src')), ...tsFiles(path.join(repo, 'bench'))];

  it('finds the sources to check', () => {
    assert.ok(sources.some((f) => f.endsWith(path.join('src', 'coverage', 'model.ts'))));
  });

  it('imports `vscode` (runtime or type) only in src/editor and src/extension.ts', () => {
    const editorDir = path.join(repo, 'src', 'editor') + path.sep;
    const extension = path.join(repo, 'src', 'extension.ts');
    const offenders = sources
      .filter((f) => !f.startsWith(editorDir) && f !== extension)
      .flatMap((f) =>
        importedModules(f, fs.readFileSync(f, 'utf8'))
          .filter((i) => i.module === 'vscode')
          .map((i) => `${path.relative(repo, f)}:${i.line}${i.typeOnly ? ' (type)' : ''}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('detects every import form it claims to (self-check of the scanner)', () => {
    const text = [
      "import * as vscode from 'vscode';",
      "import type { Uri } from 'vscode';",
      "const v = require('vscode');",
      "type T = import('vscode').Uri;",
      "export { window } from 'vscode';",
      "import vs = require('vscode');",
      "const lazy = import('vscode');",
    ].join('\n');
    const found = importedModules('x.ts', text).filter((i) => i.module === 'vscode');
    assert.deepEqual(found.map((i) => [i.line, i.typeOnly]), [[1, false], [2, true], [3, false], [4, true], [5, false], [6, false], [7, false]]);
  });

  it('keeps the pure editor modules free of runtime vscode imports (only `import type`)', () => {
    const pure = ['results.ts', 'coverageDetails.ts', 'rangeShift.ts', 'hints.ts', 'engine.ts', 'commands.ts', 'testState.ts', 'mutationView.ts'];
    for (const name of pure) {
      const f = path.join(repo, 'src', 'editor', name);
      assert.ok(fs.existsSync(f), `${name} exists`);
      const runtime = importedModules(f, fs.readFileSync(f, 'utf8')).filter((i) => i.module === 'vscode' && !i.typeOnly);
      assert.deepEqual(runtime, [], `${name} must only \`import type\` from vscode`);
    }
  });
});
