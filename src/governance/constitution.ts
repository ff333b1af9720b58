/**
 * Constitutional validator: checks a subject (an agent's output, a sandbox result, any JSON
 * value) against the rules stored in `constitutional_rules` — the global rules (workspace_id
 * NULL) plus those of the subject's workspace.
 *
 * A rule describes something FORBIDDEN; when it matches, the subject violates it:
 * - `pattern`: a regular expression (case-insensitive) searched in the subject's text (the
 *   string itself, or its JSON serialisation);
 * - `predicate`: JSON, either a comparison `{ "field": "a.b", "op": "eq", "value": 1 }` or a
 *   combination `{ "all": [...] }`, `{ "any": [...] }`, `{ "not": {...} }`. `field` is a dot
 *   path; arrays on the way are searched element-wise, and a comparison holds when any value
 *   found satisfies it. Operators: eq, neq, gt, gte, lt, lte, in, contains, exists.
 * - A rule with both matches only when both match (the pattern narrows the predicate).
 * Violations carry the rule code and severity; any `critical` violation makes the subject
 * non-compliant. The compliance score is 1 minus the severity weights of the violations
 * (low 0.05, medium 0.15, high 0.35, critical 1), floored at 0.
 * A stored rule that cannot be compiled fails validation loudly (`INVALID_ARGUMENT`, naming
 * the rule) rather than being skipped: a broken rule must never let a violation through.
 */
import type { GovernanceDatabase } from './db/database';
import { GovernanceError } from './errors';
import { SEVERITIES, uuidIds, type IdGenerator, type Json, type Severity } from './types';

/** Comparison operators of a predicate. */
export const PREDICATE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const;
/** One of {@link PREDICATE_OPS}. */
export type PredicateOp = (typeof PREDICATE_OPS)[number];
/** A rule predicate (see the module comment). */
export type Predicate =
  | { field: string; op: PredicateOp; value?: Json }
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate };

/** A constitutional rule as stored. */
export interface ConstitutionalRule {
  id: string;
  workspaceId: string | null;
  code: string;
  description: string;
  severity: Severity;
  pattern: string | null;
  predicate: Predicate | null;
}

/** A rule the subject broke. */
export interface Violation {
  ruleId: string;
  ruleCode: string;
  severity: Severity;
  description: string;
  /** What matched: the matched text and/or the predicate that held. */
  evidence: string;
}

/** Outcome of a validation. */
export interface ValidationResult {
  /** False when any violation is critical. */
  compliant: boolean;
  /** Compliance in [0, 1]: 1 − severity weights of the violations, floored at 0. */
  score: number;
  violations: Violation[];
  rulesChecked: number;
}

/** Score deducted per violation of each severity. */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { low: 0.05, medium: 0.15, high: 0.35, critical: 1 };

/** Input of {@link ConstitutionalValidator.addRule}. */
export type NewRule = Omit<ConstitutionalRule, 'id' | 'workspaceId'> & { workspaceId?: string | null };

interface RuleRow {
  id: string;
  workspace_id: string | null;
  code: string;
  description: string;
  severity: Severity;
  pattern: string | null;
  predicate: string | null;
}

type Compiled = { rule: ConstitutionalRule; regex?: RegExp; test?: (subject: unknown) => string | undefined };

function broken(rule: Pick<ConstitutionalRule, 'id' | 'code'>, problem: string): GovernanceError {
  return new GovernanceError(
    'INVALID_ARGUMENT',
    `Constitutional rule "${rule.code}" (${rule.id}) is invalid: ${problem}. Fix or delete it in constitutional_rules.`,
    { ruleId: rule.id, ruleCode: rule.code },
  );
}

/** Values at a dot path; arrays on the way are searched element-wise. */
function valuesAt(subject: unknown, path: string): unknown[] {
  let current: unknown[] = [subject];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value) && !/^\d+$/.test(key)) {
        for (const el of value) if (el !== null && typeof el === 'object' && key in el) next.push((el as Record<string, unknown>)[key]);
      } else if (value !== null && typeof value === 'object' && key in value) {
        next.push((value as Record<string, unknown>)[key]);
      }
    }
    current = next;
  }
  return current;
}

function compare(actual: unknown, op: PredicateOp, expected: Json | undefined): boolean {
  switch (op) {
    case 'eq':
      return JSON.stringify(actual) === JSON.stringify(expected);
    case 'neq':
      return JSON.stringify(actual) !== JSON.stringify(expected);
    case 'gt':
      return typeof actual === 'number' && actual > (expected as number);
    case 'gte':
      return typeof actual === 'number' && actual >= (expected as number);
    case 'lt':
      return typeof actual === 'number' && actual < (expected as number);
    case 'lte':
      return typeof actual === 'number' && actual <= (expected as number);
    case 'in':
      return (expected as Json[]).some((e) => JSON.stringify(e) === JSON.stringify(actual));
    case 'contains':
      if (typeof actual === 'string') return actual.toLowerCase().includes(String(expected).toLowerCase());
      return Array.isArray(actual) && actual.some((e) => JSON.stringify(e) === JSON.stringify(expected));
    case 'exists':
      return actual !== undefined && actual !== null;
  }
}

/** Compiles a predicate into a test returning evidence when it holds; throws on bad shape. */
function compilePredicate(p: unknown, rule: Pick<ConstitutionalRule, 'id' | 'code'>): (subject: unknown) => string | undefined {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw broken(rule, 'a predicate must be an object');
  const o = p as Record<string, unknown>;
  if (Array.isArray(o.all) || Array.isArray(o.any)) {
    const isAll = Array.isArray(o.all);
    const parts = ((isAll ? o.all : o.any) as unknown[]).map((q) => compilePredicate(q, rule));
    if (parts.length === 0) throw broken(rule, `"${isAll ? 'all' : 'any'}" needs at least one predicate`);
    return (subject) => {
      const evidence = parts.map((t) => t(subject));
      const holds = isAll ? evidence.every((e) => e !== undefined) : evidence.some((e) => e !== undefined);
      return holds ? evidence.filter((e) => e !== undefined).join(isAll ? ' and ' : ' or ') : undefined;
    };
  }
  if ('not' in o) {
    const inner = compilePredicate(o.not, rule);
    return (subject) => (inner(subject) === undefined ? `not (${JSON.stringify(o.not)})` : undefined);
  }
  const op = o.op as PredicateOp;
  if (typeof o.field !== 'string' || o.field === '') throw broken(rule, 'a comparison needs a "field" path');
  if (!PREDICATE_OPS.includes(op)) throw broken(rule, `unknown operator ${JSON.stringify(o.op)} (expected ${PREDICATE_OPS.join(', ')})`);
  if (op === 'in' && !Array.isArray(o.value)) throw broken(rule, '"in" needs an array value');
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof o.value !== 'number') throw broken(rule, `"${op}" needs a number value`);
  const field = o.field;
  const value = o.value as Json | undefined;
  return (subject) => {
    const hit = valuesAt(subject, field).find((actual) => compare(actual, op, value));
    if (hit === undefined) return undefined;
    return `${field} ${op}${op === 'exists' ? '' : ` ${JSON.stringify(value)}`} (found ${JSON.stringify(hit)})`;
  };
}

function compile(rule: ConstitutionalRule): Compiled {
  const compiled: Compiled = { rule };
  if (rule.pattern !== null) {
    try {
      compiled.regex = new RegExp(rule.pattern, 'i');
    } catch (err) {
      throw broken(rule, `pattern ${JSON.stringify(rule.pattern)} is not a regular expression (${(err as Error).message})`);
    }
  }
  if (rule.predicate !== null) compiled.test = compilePredicate(rule.predicate, rule);
  if (!compiled.regex && !compiled.test) throw broken(rule, 'it has neither a pattern nor a predicate');
  return compiled;
}

/** Checks `subject` against already-loaded rules (pure; see the module comment). */
export function evaluateRules(rules: readonly ConstitutionalRule[], subject: unknown): ValidationResult {
  const compiled = rules.map(compile);
  const text = typeof subject === 'string' ? subject : JSON.stringify(subject) ?? '';
  const violations: Violation[] = [];
  for (const { rule, regex, test } of compiled) {
    const evidence: string[] = [];
    const match = regex?.exec(text);
    if (regex && !match) continue;
    if (match) evidence.push(`text matched /${rule.pattern}/: "${match[0]}"`);
    if (test) {
      const held = test(subject);
      if (held === undefined) continue;
      evidence.push(held);
    }
    violations.push({ ruleId: rule.id, ruleCode: rule.code, severity: rule.severity, description: rule.description, evidence: evidence.join('; ') });
  }
  return {
    compliant: !violations.some((v) => v.severity === 'critical'),
    score: complianceScore(violations),
    violations,
    rulesChecked: rules.length,
  };
}

/** 1 minus the severity weights of `violations`, floored at 0 (rounded to 4 decimals). */
export function complianceScore(violations: readonly Pick<Violation, 'severity'>[]): number {
  const penalty = violations.reduce((sum, v) => sum + SEVERITY_WEIGHT[v.severity], 0);
  return Math.round(Math.max(0, 1 - penalty) * 1e4) / 1e4;
}

/** Reads rules from `constitutional_rules` and validates subjects against them. */
export class ConstitutionalValidator {
  private readonly db: GovernanceDatabase;
  private readonly ids: IdGenerator;

  constructor(deps: { db: GovernanceDatabase; ids?: IdGenerator }) {
    this.db = deps.db;
    this.ids = deps.ids ?? uuidIds;
  }

  /** Global rules plus those of `workspaceId` (only global ones for null/undefined), by code. */
  listRules(workspaceId: string | null = null): ConstitutionalRule[] {
    const rows = this.db.all<RuleRow>(
      'SELECT * FROM constitutional_rules WHERE workspace_id IS NULL OR workspace_id = ? ORDER BY code, id',
      [workspaceId],
    );
    return rows.map((r) => {
      let predicate: Predicate | null = null;
      try {
        predicate = r.predicate === null ? null : (JSON.parse(r.predicate) as Predicate);
      } catch (err) {
        throw broken(r, `predicate is not JSON (${(err as Error).message})`);
      }
      return { id: r.id, workspaceId: r.workspace_id, code: r.code, description: r.description, severity: r.severity, pattern: r.pattern, predicate };
    });
  }

  /** Stores a rule after checking that it compiles and its severity is known. */
  addRule(input: NewRule): ConstitutionalRule {
    const rule: ConstitutionalRule = {
      id: this.ids.next('rule'),
      workspaceId: input.workspaceId ?? null,
      code: input.code,
      description: input.description,
      severity: input.severity,
      pattern: input.pattern ?? null,
      predicate: input.predicate ?? null,
    };
    if (typeof rule.code !== 'string' || rule.code.trim() === '') throw broken(rule, 'a rule needs a code');
    if (!SEVERITIES.includes(rule.severity)) throw broken(rule, `severity must be one of ${SEVERITIES.join(', ')}`);
    compile(rule);
    this.db.run(
      'INSERT INTO constitutional_rules (id, workspace_id, code, description, severity, pattern, predicate) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [rule.id, rule.workspaceId, rule.code, rule.description, rule.severity, rule.pattern, rule.predicate === null ? null : JSON.stringify(rule.predicate)],
    );
    return rule;
  }

  /**
   * Validates `subject` against the global rules and those of `workspaceId`.
   * @gap constitutional validation: a violation that slips through lets an unsafe agent graduate
   */
  validate(subject: unknown, opts: { workspaceId?: string | null } = {}): ValidationResult {
    return evaluateRules(this.listRules(opts.workspaceId ?? null), subject);
  }
}
