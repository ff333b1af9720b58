/**
 * TypeScript sources parsed with the compiler API, cached by content hash: the function index
 * (qualified names such as `ProposalService.executeBrowserAction`, ranges, `@gap` labels) and
 * offset ↔ line/column conversions used by the conversion and the gap analysis.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as ts from 'typescript';
import type { Position, Range } from './model';

/** A function-like node of a source file. */
export interface FunctionInfo {
  /** Qualified name: `Class.method`, `outer.inner`, `name`; anonymous: `parent.<anonymous@L12>`. */
  name: string;
  /** The nearest named function (itself when named): gaps are grouped under it. */
  groupName: string;
  named: boolean;
  /** Offsets: node start (no trivia), body start (or node end), node end. */
  start: number;
  /**
   * Start including its leading comments (JSDoc) — and, for `const f = () => ...`, the whole
   * variable statement: lines from here on are grouped under it.
   */
  docStart: number;
  bodyStart: number;
  end: number;
  range: Range;
  /** Text of a `@gap` JSDoc tag on the function, if any. */
  gapLabel?: string;
  /** First sentence of the function's JSDoc comment, if any. */
  summary?: string;
  node: ts.Node;
}

/** A parsed source file. */
export interface ParsedSource {
  file: string;
  text: string;
  hash: string;
  sf: ts.SourceFile;
  /** Every function-like node, sorted by start offset. */
  functions: FunctionInfo[];
  /** 1-based line + 0-based column → offset (clamped to the line). */
  offsetOf(pos: Position): number;
  /** Offset → 1-based line + 0-based column. */
  positionOf(offset: number): Position;
  /** Innermost function containing the offset. */
  functionAt(offset: number): FunctionInfo | undefined;
  /** Like `functionAt`, but a function's leading comments count as part of it. */
  groupAt(offset: number): FunctionInfo | undefined;
}

const cache = new Map<string, ParsedSource>();

/** Parse a file (or the given text), reusing the previous parse when the content is unchanged. */
export function parseSource(file: string, text?: string): ParsedSource {
  const content = text ?? fs.readFileSync(file, 'utf8');
  const hash = createHash('sha1').update(content).digest('hex');
  const key = `${file}\u0000${hash}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = build(file, content, hash);
  for (const k of cache.keys()) if (k.startsWith(`${file}\u0000`)) cache.delete(k);
  cache.set(key, parsed);
  return parsed;
}

function propertyName(name: ts.PropertyName | ts.BindingName | undefined, sf: ts.SourceFile): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return `[${name.expression.getText(sf)}]`;
  return undefined;
}

function docTarget(node: ts.Node): ts.Node {
  // For `const f = () => ...` the JSDoc sits on the variable statement.
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) {
    return node.parent.parent?.parent ?? node;
  }
  return node;
}

function docSummary(node: ts.Node): string | undefined {
  for (const doc of ts.getJSDocCommentsAndTags(docTarget(node))) {
    if (!ts.isJSDoc(doc) || !doc.comment) continue;
    const text = (typeof doc.comment === 'string' ? doc.comment : doc.comment.map((p) => p.text).join('')).replace(/\s+/g, ' ').trim();
    const first = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
    if (first) return first;
  }
  return undefined;
}

function gapTag(node: ts.Node): string | undefined {
  const target = docTarget(node);
  for (const tag of ts.getJSDocTags(target)) {
    if (tag.tagName.text === 'gap') {
      const c = tag.comment;
      const text = typeof c === 'string' ? c : c?.map((p) => p.text).join('') ?? '';
      if (text.trim()) return text.trim();
    }
  }
  return undefined;
}

function build(file: string, text: string, hash: string): ParsedSource {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineStarts = sf.getLineStarts();
  const functions: FunctionInfo[] = [];
  const positionOf = (offset: number): Position => {
    const lc = sf.getLineAndCharacterOfPosition(Math.max(0, Math.min(offset, text.length)));
    return { line: lc.line + 1, column: lc.character };
  };

  /** Name for a function-like node, given the enclosing named scope (class, object or function). */
  const nameOf = (node: ts.Node, scope: string | undefined): string | undefined => {
    const join = (n: string) => (scope ? `${scope}.${n}` : n);
    if (ts.isFunctionDeclaration(node)) return node.name ? join(node.name.text) : join('default');
    if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
      const n = propertyName(node.name, sf);
      return n ? join(n) : undefined;
    }
    if (ts.isConstructorDeclaration(node)) return join('constructor');
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const p = node.parent;
      if (ts.isFunctionExpression(node) && node.name) return join(node.name.text);
      if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return join(p.name.text);
      if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.initializer === node) {
        const n = propertyName(p.name, sf);
        return n ? join(n) : undefined;
      }
    }
    return undefined;
  };

  const visit = (node: ts.Node, scope: string | undefined, group: string | undefined): void => {
    let childScope = scope;
    let childGroup = group;
    if (ts.isClassLike(node)) {
      const n = node.name?.text ?? (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : '(class)');
      childScope = scope ? `${scope}.${n}` : n;
    } else if (ts.isObjectLiteralExpression(node)) {
      const p = node.parent;
      if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) childScope = scope ? `${scope}.${p.name.text}` : p.name.text;
      else if (ts.isPropertyAssignment(p)) {
        const n = propertyName(p.name, sf);
        if (n) childScope = scope ? `${scope}.${n}` : n;
      }
    } else if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const own = nameOf(node, scope);
      const start = node.getStart(sf);
      const line = positionOf(start).line;
      const name = own ?? `${group ?? scope ?? '(top level)'}.<anonymous@L${line}>`;
      const info: FunctionInfo = {
        name,
        groupName: own ?? group ?? name,
        named: !!own,
        start,
        docStart: (() => {
          // `const f = () => ...`: the statement (and its JSDoc) belongs to the function.
          const target = docTarget(node);
          const owner = ts.isVariableStatement(target) && target.declarationList.declarations.length === 1 ? target : node;
          const full = owner.getFullStart();
          const lead = text.slice(full, owner.getStart(sf));
          return full + (lead.length - lead.trimStart().length);
        })(),
        bodyStart: fn.body!.getStart(sf),
        end: node.getEnd(),
        range: { start: positionOf(start), end: positionOf(node.getEnd()) },
        gapLabel: gapTag(node),
        summary: docSummary(node),
        node,
      };
      functions.push(info);
      childScope = own ?? scope;
      childGroup = info.groupName;
    }
    ts.forEachChild(node, (c) => visit(c, childScope, childGroup));
  };
  visit(sf, undefined, undefined);
  functions.sort((a, b) => a.start - b.start);

  return {
    file,
    text,
    hash,
    sf,
    functions,
    positionOf,
    offsetOf(pos: Position): number {
      const i = Math.max(0, Math.min(pos.line - 1, lineStarts.length - 1));
      const lineEnd = i + 1 < lineStarts.length ? lineStarts[i + 1] : text.length;
      const col = Number.isFinite(pos.column) ? Math.max(0, pos.column) : Infinity;
      return Math.min(lineStarts[i] + col, lineEnd);
    },
    functionAt(offset: number): FunctionInfo | undefined {
      let best: FunctionInfo | undefined;
      for (const f of functions) {
        if (f.start > offset) break;
        if (offset < f.end && (!best || f.end - f.start <= best.end - best.start)) best = f;
      }
      return best;
    },
    groupAt(offset: number): FunctionInfo | undefined {
      let best: FunctionInfo | undefined;
      for (const f of functions) {
        if (f.docStart > offset) continue;
        if (offset < f.end && (!best || f.end - f.docStart <= best.end - best.docStart)) best = f;
      }
      return best;
    },
  };
}
