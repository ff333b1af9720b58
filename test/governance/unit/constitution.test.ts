import { strict as assert } from 'node:assert';
import { GovernanceError, sequentialIds, type GovernanceDatabase } from '../../../src/governance';
import {
  ConstitutionalValidator,
  PREDICATE_OPS,
  SEVERITY_WEIGHT,
  complianceScore,
  evaluateRules,
  type ConstitutionalRule,
  type Predicate,
} from '../../../src/governance/constitution';
import { allRows, countRows, freshDb, seedRule, seedWorkspace } from '../fixtures';

function rule(over: Partial<ConstitutionalRule>): ConstitutionalRule {
  return { id: 'r1', workspaceId: null, code: 'R1', description: 'test', severity: 'medium', pattern: null, predicate: null, ...over };
}

function holds(predicate: Predicate, subject: unknown): boolean {
  return evaluateRules([rule({ predicate })], subject).violations.length === 1;
}

describe('constitutional validation', () => {
  describe('evaluateRules (rules already loaded)', () => {
    it('finds a pattern case-insensitively in the JSON text of a subject and quotes the match', () => {
      const result = evaluateRules([rule({ code: 'NO_SSN', severity: 'high', pattern: '\\d{3}-\\d{2}-\\d{4}' })], { note: 'SSN 123-45-6789' });
      assert.deepEqual(result.violations, [
        { ruleId: 'r1', ruleCode: 'NO_SSN', severity: 'high', description: 'test', evidence: 'text matched /\\d{3}-\\d{2}-\\d{4}/: "123-45-6789"' },
      ]);
      assert.equal(result.compliant, true, 'a high violation alone does not make it non-compliant');
      assert.equal(result.score, 0.65);
      assert.equal(evaluateRules([rule({ pattern: 'DROP TABLE' })], 'please drop table users').violations.length, 1);
    });

    it('is compliant with score 1 when no rule matches', () => {
      assert.deepEqual(evaluateRules([rule({ pattern: 'forbidden' })], { ok: true }), { compliant: true, score: 1, violations: [], rulesChecked: 1 });
      assert.deepEqual(evaluateRules([], undefined), { compliant: true, score: 1, violations: [], rulesChecked: 0 });
    });

    it('any critical violation makes the subject non-compliant', () => {
      const result = evaluateRules([rule({ severity: 'critical', pattern: 'rm -rf' }), rule({ id: 'r2', code: 'R2', severity: 'low', pattern: 'sudo' })], 'sudo rm -rf /');
      assert.equal(result.compliant, false);
      assert.deepEqual(result.violations.map((v) => [v.ruleCode, v.severity]), [['R1', 'critical'], ['R2', 'low']]);
      assert.equal(result.score, 0);
    });

    it('compares fields with every operator', () => {
      assert.deepEqual(PREDICATE_OPS, ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists']);
      const s = { amount: 500, currency: 'EUR', tags: ['refund', 'urgent'], note: 'Wire transfer', user: { role: 'GUEST' } };
      assert.ok(holds({ field: 'currency', op: 'eq', value: 'EUR' }, s));
      assert.ok(!holds({ field: 'currency', op: 'eq', value: 'USD' }, s));
      assert.ok(holds({ field: 'currency', op: 'neq', value: 'USD' }, s));
      assert.ok(holds({ field: 'amount', op: 'gt', value: 100 }, s));
      assert.ok(!holds({ field: 'amount', op: 'gt', value: 500 }, s));
      assert.ok(holds({ field: 'amount', op: 'gte', value: 500 }, s));
      assert.ok(holds({ field: 'amount', op: 'lt', value: 501 }, s));
      assert.ok(holds({ field: 'amount', op: 'lte', value: 500 }, s));
      assert.ok(!holds({ field: 'currency', op: 'lte', value: 500 }, s), 'numeric operators never hold on strings');
      assert.ok(holds({ field: 'user.role', op: 'in', value: ['GUEST', 'MEMBER'] }, s));
      assert.ok(!holds({ field: 'user.role', op: 'in', value: ['SUPER_ADMIN'] }, s));
      assert.ok(holds({ field: 'note', op: 'contains', value: 'wire' }, s));
      assert.ok(holds({ field: 'tags', op: 'contains', value: 'urgent' }, s));
      assert.ok(!holds({ field: 'amount', op: 'contains', value: 5 }, s));
      assert.ok(holds({ field: 'user', op: 'exists' }, s));
      assert.ok(!holds({ field: 'user.email', op: 'exists' }, s));
      assert.ok(!holds({ field: 'missing.deep', op: 'eq', value: 1 }, s));
    });

    it('searches arrays along a path element-wise and supports numeric indexes', () => {
      const s = { actions: [{ kind: 'read', complexity: 1 }, { kind: 'delete', complexity: 4 }, 'noise', null] };
      const result = evaluateRules([rule({ predicate: { field: 'actions.complexity', op: 'gte', value: 4 } })], s);
      assert.equal(result.violations[0].evidence, 'actions.complexity gte 4 (found 4)');
      assert.ok(holds({ field: 'actions.1.kind', op: 'eq', value: 'delete' }, s));
      assert.ok(!holds({ field: 'actions.0.kind', op: 'eq', value: 'delete' }, s));
    });

    it('combines predicates with all, any and not', () => {
      const s = { amount: 500, approved: false };
      const big = { field: 'amount', op: 'gt', value: 100 } as const;
      const unapproved = { field: 'approved', op: 'eq', value: false } as const;
      const result = evaluateRules([rule({ predicate: { all: [big, unapproved] } })], s);
      assert.equal(result.violations[0].evidence, 'amount gt 100 (found 500) and approved eq false (found false)');
      assert.ok(!holds({ all: [big, { field: 'approved', op: 'eq', value: true }] }, s));
      assert.ok(holds({ any: [{ field: 'amount', op: 'lt', value: 0 }, big] }, s));
      assert.ok(!holds({ any: [{ field: 'amount', op: 'lt', value: 0 }] }, s));
      assert.ok(holds({ not: { field: 'approved', op: 'eq', value: true } }, s));
      assert.ok(!holds({ not: big }, s));
    });

    it('with both a pattern and a predicate, violates only when both match', () => {
      const both = rule({ pattern: 'payment', predicate: { field: 'amount', op: 'gt', value: 1000 } });
      assert.equal(evaluateRules([both], { kind: 'payment', amount: 5000 }).violations[0].evidence, 'text matched /payment/: "payment"; amount gt 1000 (found 5000)');
      assert.equal(evaluateRules([both], { kind: 'payment', amount: 5 }).violations.length, 0);
      assert.equal(evaluateRules([both], { kind: 'refund', amount: 5000 }).violations.length, 0);
    });

    it('refuses a broken rule loudly, naming it, instead of skipping it', () => {
      const cases: Array<[Partial<ConstitutionalRule>, RegExp]> = [
        [{ pattern: '([unclosed' }, /is not a regular expression/],
        [{ predicate: 'amount > 5' as unknown as Predicate }, /a predicate must be an object/],
        [{ predicate: { all: [] } }, /"all" needs at least one predicate/],
        [{ predicate: { any: [] } }, /"any" needs at least one predicate/],
        [{ predicate: { field: '', op: 'eq', value: 1 } }, /needs a "field" path/],
        [{ predicate: { field: 'a', op: 'like' as 'eq', value: 1 } }, /unknown operator "like"/],
        [{ predicate: { field: 'a', op: 'in', value: 'x' } }, /"in" needs an array value/],
        [{ predicate: { field: 'a', op: 'gt', value: '5' } }, /"gt" needs a number value/],
        [{ predicate: { not: [] as unknown as Predicate } }, /a predicate must be an object/],
        [{}, /neither a pattern nor a predicate/],
      ];
      for (const [over, message] of cases) {
        assert.throws(
          () => evaluateRules([rule({ code: 'BROKEN', ...over })], {}),
          (err: GovernanceError) => err.code === 'INVALID_ARGUMENT' && /"BROKEN" \(r1\)/.test(err.message) && message.test(err.message),
          `expected ${message}`,
        );
      }
    });

    it('numeric operators hold only on numbers, at the exact boundary the operator names', () => {
      const s = { amount: 500, code: '600', none: null, label: 'x' };
      for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
        assert.ok(!holds({ field: 'code', op, value: op.startsWith('g') ? 100 : 1000 }, s), `${op} never holds on the numeric string '600'`);
        assert.ok(!holds({ field: 'none', op, value: op.startsWith('g') ? -1 : 1 }, s), `${op} never holds on null`);
      }
      assert.ok(!holds({ field: 'amount', op: 'lt', value: 500 }, s), '500 is not below 500');
      assert.ok(holds({ field: 'amount', op: 'lte', value: 500 }, s));
      assert.ok(!holds({ field: 'amount', op: 'lte', value: 499 }, s), '500 is not at most 499');
      assert.ok(!holds({ field: 'amount', op: 'gte', value: 501 }, s), '500 is not at least 501');
    });

    it('eq, neq, in and contains compare whole JSON values', () => {
      const s = { currency: 'EUR', limits: { daily: 5 }, tags: ['refund', 'urgent'] };
      assert.ok(!holds({ field: 'currency', op: 'neq', value: 'EUR' }, s));
      assert.ok(holds({ field: 'limits', op: 'eq', value: { daily: 5 } }, s));
      assert.ok(holds({ field: 'limits', op: 'in', value: [{ daily: 1 }, { daily: 5 }] }, s));
      assert.ok(!holds({ field: 'tags', op: 'contains', value: 'refunds' }, s), 'an array contains whole elements only');
      assert.ok(!holds({ field: 'tags', op: 'contains', value: 'nope' }, s));
      assert.ok(holds({ field: 'currency', op: 'contains', value: 'eu' }, s), 'a string contains case-insensitively');
    });

    it('exists holds for any value but null and undefined, and its evidence names what was found', () => {
      assert.ok(!holds({ field: 'user.middle', op: 'exists' }, { user: { middle: null } }));
      assert.ok(!holds({ field: 'user.middle', op: 'exists' }, { user: { middle: undefined } }));
      assert.ok(holds({ field: 'user.middle', op: 'exists' }, { user: { middle: 0 } }));
      const result = evaluateRules([rule({ predicate: { field: 'user', op: 'exists' } })], { user: { role: 'GUEST' } });
      assert.equal(result.violations[0].evidence, 'user exists (found {"role":"GUEST"})');
    });

    it('a path through null finds nothing; only all-digit keys index into arrays', () => {
      assert.ok(!holds({ field: 'a.b', op: 'exists' }, { a: null }));
      assert.ok(holds({ field: 'items.a1', op: 'eq', value: 'x' }, { items: [{ a1: 'x' }] }), '"a1" is searched element-wise');
      assert.ok(holds({ field: 'items.1a', op: 'eq', value: 'y' }, { items: [{ '1a': 'y' }] }), '"1a" is searched element-wise');
      const list = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
      assert.ok(holds({ field: 'list.10', op: 'eq', value: 'k' }, { list }), '"10" is an index');
    });

    it('states the evidence of any and not in words', () => {
      const s = { amount: 500, approved: false };
      const big = { field: 'amount', op: 'gt', value: 100 } as const;
      const unapproved = { field: 'approved', op: 'eq', value: false } as const;
      const evidence = (predicate: Predicate): string => evaluateRules([rule({ predicate })], s).violations[0].evidence;
      assert.equal(evidence({ any: [big, unapproved] }), 'amount gt 100 (found 500) or approved eq false (found false)');
      assert.equal(evidence({ any: [{ field: 'amount', op: 'lt', value: 0 }, big] }), 'amount gt 100 (found 500)');
      assert.equal(evidence({ not: { field: 'approved', op: 'eq', value: true } }), 'not ({"field":"approved","op":"eq","value":true})');
    });

    it('matches a pattern against a string subject as it is, and an undefined subject as no text', () => {
      assert.equal(evaluateRules([rule({ pattern: '^rm ' })], 'rm -rf /').violations.length, 1);
      assert.equal(evaluateRules([rule({ pattern: '.' })], undefined).violations.length, 0);
      assert.equal(evaluateRules([rule({ pattern: 'stryker|undefined|null' })], undefined).violations.length, 0);
    });

    it('refuses a broken predicate with the exact words, and names the rule in the error details', () => {
      const err = (predicate: unknown): GovernanceError => {
        try {
          evaluateRules([rule({ code: 'BROKEN', predicate: predicate as Predicate })], {});
        } catch (e) {
          return e as GovernanceError;
        }
        assert.fail('accepted');
      };
      const unknown = err({ field: 'a', op: 'like', value: 1 });
      assert.equal(unknown.message, 'Constitutional rule "BROKEN" (r1) is invalid: unknown operator "like" (expected eq, neq, gt, gte, lt, lte, in, contains, exists). Fix or delete it in constitutional_rules.');
      assert.deepEqual({ ...unknown.details }, { ruleId: 'r1', ruleCode: 'BROKEN' });
      for (const op of ['gt', 'gte', 'lt', 'lte']) assert.match(err({ field: 'a', op, value: '5' }).message, new RegExp(`: "${op}" needs a number value\\.`));
      assert.match(err({ field: 5, op: 'eq', value: 1 }).message, /a comparison needs a "field" path/);
      assert.equal(err({ field: 5, op: 'eq', value: 1 }).code, 'INVALID_ARGUMENT');
      assert.match(err({ all: [null] }).message, /a predicate must be an object/);
      assert.equal(err({ all: [null] }).code, 'INVALID_ARGUMENT');
    });

    it('scores compliance by severity weights, floored at 0', () => {
      assert.deepEqual(SEVERITY_WEIGHT, { low: 0.05, medium: 0.15, high: 0.35, critical: 1 });
      assert.equal(complianceScore([]), 1);
      assert.equal(complianceScore([{ severity: 'low' }, { severity: 'medium' }]), 0.8);
      assert.equal(complianceScore([{ severity: 'high' }, { severity: 'high' }, { severity: 'high' }]), 0);
    });
  });

  describe('ConstitutionalValidator over constitutional_rules', () => {
    let db: GovernanceDatabase;
    let validator: ConstitutionalValidator;
    let ws: string;
    let other: string;

    beforeEach(async () => {
      db = await freshDb();
      validator = new ConstitutionalValidator({ db, ids: sequentialIds() });
      ws = seedWorkspace(db);
      other = seedWorkspace(db);
    });
    afterEach(() => db.close());

    it('applies global rules plus the subject workspace rules, never another workspace', () => {
      seedRule(db, { code: 'G_SECRET', severity: 'critical', pattern: 'api[_-]?key' });
      seedRule(db, { code: 'W_PAY', severity: 'high', predicate: { field: 'amount', op: 'gt', value: 100 }, workspaceId: ws });
      seedRule(db, { code: 'O_ALL', severity: 'low', pattern: '.', workspaceId: other });
      assert.deepEqual(validator.listRules().map((r) => r.code), ['G_SECRET']);
      assert.deepEqual(validator.listRules(ws).map((r) => r.code), ['G_SECRET', 'W_PAY']);
      const result = validator.validate({ amount: 500, text: 'my API_KEY is x' }, { workspaceId: ws });
      assert.deepEqual(result.violations.map((v) => [v.ruleCode, v.severity]), [['G_SECRET', 'critical'], ['W_PAY', 'high']]);
      assert.deepEqual([result.compliant, result.rulesChecked], [false, 2]);
      assert.equal(validator.validate({ amount: 500 }).violations.length, 0, 'without a workspace only global rules apply');
    });

    it('reads predicates stored as JSON text', () => {
      seedRule(db, { code: 'DEL', severity: 'critical', predicate: { field: 'action', op: 'eq', value: 'delete' } });
      const [stored] = validator.listRules();
      assert.deepEqual(stored.predicate, { field: 'action', op: 'eq', value: 'delete' });
      assert.equal(stored.pattern, null);
      assert.equal(validator.validate({ action: 'delete' }).compliant, false);
    });

    it('refuses a stored predicate that is not JSON, naming the rule', () => {
      db.run("INSERT INTO constitutional_rules (id, code, description, severity, predicate) VALUES ('bad', 'BAD_JSON', 'x', 'low', '{oops')");
      assert.throws(() => validator.validate({}), (err: GovernanceError) => err.code === 'INVALID_ARGUMENT' && /"BAD_JSON" \(bad\)/.test(err.message) && /not JSON/.test(err.message));
    });

    it('adds a valid rule and stores it', () => {
      const added = validator.addRule({ code: 'NO_PII', description: 'no emails', severity: 'high', pattern: '[\\w.]+@[\\w.]+', predicate: null, workspaceId: ws });
      assert.deepEqual(added, { id: 'rule-1', workspaceId: ws, code: 'NO_PII', description: 'no emails', severity: 'high', pattern: '[\\w.]+@[\\w.]+', predicate: null });
      const withPredicate = validator.addRule({ code: 'BIG', description: 'big', severity: 'low', pattern: null, predicate: { field: 'n', op: 'gt', value: 1 } });
      assert.equal(withPredicate.workspaceId, null);
      assert.deepEqual(allRows(db, 'constitutional_rules').map((r) => [r.code, r.workspace_id, r.predicate]), [['NO_PII', ws, null], ['BIG', null, '{"field":"n","op":"gt","value":1}']]);
      assert.equal(validator.validate('mail a@b.c', { workspaceId: ws }).violations[0].ruleCode, 'NO_PII');
    });

    it('refuses to add a rule without a code, with an unknown severity or that does not compile, storing nothing', () => {
      assert.throws(() => validator.addRule({ code: ' ', description: 'x', severity: 'low', pattern: 'a', predicate: null }), /needs a code/);
      assert.throws(() => validator.addRule({ code: 'S', description: 'x', severity: 'fatal' as 'low', pattern: 'a', predicate: null }), /severity must be one of low, medium, high, critical/);
      assert.throws(() => validator.addRule({ code: 'P', description: 'x', severity: 'low', pattern: '(', predicate: null }), /not a regular expression/);
      assert.throws(() => validator.addRule({ code: 'N', description: 'x', severity: 'low', pattern: null, predicate: null }), /neither a pattern nor a predicate/);
      assert.equal(countRows(db, 'constitutional_rules'), 0);
    });

    it('refuses a rule whose code is not text with INVALID_ARGUMENT, storing nothing', () => {
      assert.throws(
        () => validator.addRule({ code: 7 as unknown as string, description: 'x', severity: 'low', pattern: 'a', predicate: null }),
        (err: GovernanceError) => err.code === 'INVALID_ARGUMENT' && /a rule needs a code/.test(err.message),
      );
      assert.equal(countRows(db, 'constitutional_rules'), 0);
    });

    it('uses random ids when no id generator is injected', () => {
      const v = new ConstitutionalValidator({ db });
      const added = v.addRule({ code: 'X', description: 'x', severity: 'low', pattern: 'x', predicate: null });
      assert.match(added.id, /^[0-9a-f-]{36}$/);
    });
  });
});
