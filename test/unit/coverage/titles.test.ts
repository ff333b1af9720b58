/**
 * Suggested test titles name the behaviour of the gap: what the entry does there (read from the
 * AST by effects.ts) and when, in at most 90 characters.
 */
import { strict as assert } from 'node:assert';
import { parseSource } from '../../../src/coverage/ast';
import { effectOf } from '../../../src/coverage/effects';
import { effectPhrase, titleOf } from '../../../src/coverage/hints';

/** What the last statement of the named function of `src` does, as the title says it. */
function does(src: string, name: string): string {
  const p = parseSource(`/virtual/${name}.ts`, src);
  const fn = p.functions.find((f) => f.name === name)!;
  return effectPhrase(effectOf(fn.node, fn.start, fn.end, p.sf)).replace(/`/g, '');
}

describe('suggested test titles (hints.ts, effects.ts)', () => {
  it('says what a returned value is: a check as "whether …", rows by table and filter, a long value by its shape', () => {
    assert.equal(does('export const isRedirect = (code) => redirectStatus.has(code);', 'isRedirect'), 'returns whether code is in redirectStatus');
    assert.equal(
      does("export function list(filter) { return db.all('SELECT * FROM sessions WHERE (? IS NULL OR agent_id = ?) ORDER BY started_at', [filter.agentId, filter.agentId]).map(toSession); }", 'list'),
      'returns the sessions rows that match filter',
    );
    assert.equal(does("export function all(db) { return db.all('SELECT id, name FROM agents ORDER BY name').map((row) => ({ ...row })); }", 'all'), 'returns the agents rows');
    assert.equal(does('export function raw(map) { return Object.fromEntries([...map.keys()].sort().map((key) => [key, map.get(key).split(", ")])); }', 'raw'), 'returns an object');
    assert.equal(does('export function names(items) { return items.filter((item) => item.enabled && item.visible).map((item) => item.name); }', 'names'), 'returns a list');
    assert.equal(does('export function open(path, options) { return new SessionStore(path, { ...options, readonly: false, create: true }); }', 'open'), 'returns a new SessionStore');
    assert.equal(does("export function lines(entries) { return entries.map((e) => `${e.amount} ${e.memo ?? ''}`).join('\\n'); }", 'lines'), 'returns a string');
    assert.equal(does('export function text(body) { return String(body); }', 'text'), 'returns String(body)');
    assert.equal(does('export function pair(a, b) { return { first: a, second: b }; }', 'pair'), 'returns { first, second }');
    assert.equal(does("export function add(db, name) { db.run('INSERT INTO agents (name) VALUES (?)', [name]); }", 'add'), 'writes a row to agents');
    assert.equal(does("export function drop(db, id) { db.run('DELETE FROM agents WHERE id = ?', [id]); }", 'drop'), 'deletes agents rows');
    // A returned call given a callback (a transaction): what the callback does.
    assert.equal(
      does("export function resume(db, id) { return db.transaction(() => { db.run(\"UPDATE sessions SET status = 'RUNNING' WHERE id = ?\", [id]); return db.get(id); }); }", 'resume'),
      'updates sessions rows',
    );
  });

  it('keeps the condition when the title stays within 90 characters, else drops it, and never runs longer', () => {
    assert.equal(titleOf('execute', 'throws EMPTY_PLAN', 'when steps.length is 0'), 'execute throws EMPTY_PLAN when steps.length is 0');
    assert.equal(titleOf('listSessions', 'returns the supervision_sessions rows', undefined), 'listSessions returns the supervision_sessions rows');
    const long = 'when request.headers.contentType is not in allowedTypes and options.strict is truthy';
    assert.equal(titleOf('parse', 'throws UNSUPPORTED_MEDIA_TYPE', long), 'parse throws UNSUPPORTED_MEDIA_TYPE');
    const cut = titleOf('x', `returns ${'y'.repeat(100)}`, undefined);
    assert.equal(cut.length, 90);
    assert.ok(cut.endsWith('…'));
  });
});
