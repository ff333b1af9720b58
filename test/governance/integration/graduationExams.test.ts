/**
 * Graduation exams end to end on a real sql.js database: every maturity transition, pass and
 * fail, constitutional violations from rules stored in constitutional_rules. Only the sandbox
 * (an external agent runtime) is replaced, and only where a test needs scripted results.
 */
import { strict as assert } from 'node:assert';
import { GovernanceError, TriggerInterceptor, resolveDeps, type Agent, type GovernanceDatabase, type Json, type MaturityLevel } from '../../../src/governance';
import { GraduationService, type SandboxExecutor, type SandboxResult, type SandboxScenario } from '../../../src/governance/graduationService';
import { allRows, countRows, freshDb, seedAgent, seedEpisodes, seedRule, seedWorkspace, snapshotRows, testDeps } from '../fixtures';

/** A scripted sandbox: answers from `answers` by scenario id (default: success, echo input). */
class ScriptedSandbox implements SandboxExecutor {
  readonly seen: string[] = [];
  constructor(private readonly answers: Record<string, SandboxResult | Error> = {}) {}
  async run(_agent: Agent, scenario: SandboxScenario): Promise<SandboxResult> {
    this.seen.push(scenario.id);
    const answer = this.answers[scenario.id];
    if (answer instanceof Error) throw answer;
    return answer ?? { success: true, output: scenario.input };
  }
}

interface ExamRow {
  id: string;
  agent_id: string;
  from_status: string;
  to_status: string;
  readiness_score: number;
  passed: number;
  violations: string;
  sandbox_result: string;
}

const TRANSITIONS: Array<{ from: MaturityLevel; to: MaturityLevel; episodes: number; floor: number }> = [
  { from: 'STUDENT', to: 'INTERN', episodes: 10, floor: 0.5 },
  { from: 'INTERN', to: 'SUPERVISED', episodes: 25, floor: 0.7 },
  { from: 'SUPERVISED', to: 'AUTONOMOUS', episodes: 50, floor: 0.9 },
];

describe('graduation exams (integration)', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;
  let service: GraduationService;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
    service = new GraduationService(deps);
  });
  afterEach(() => db.close());

  const exams = (): ExamRow[] => allRows<ExamRow>(db, 'graduation_exams');
  const agentRow = (id: string): { status: string; confidence_score: number } =>
    db.get<{ status: string; confidence_score: number }>('SELECT status, confidence_score FROM agent_registry WHERE id = ?', [id])!;

  for (const t of TRANSITIONS) {
    it(`${t.from} → ${t.to}: passes with enough clean episodes, stores the exam and promotes to the level floor`, async () => {
      const agent = seedAgent(db, { status: t.from });
      seedEpisodes(db, agent.id, t.episodes, { interventions: 0, constitutionalScore: 1, maturity: t.from });
      assert.equal(deps.agents.require(agent.id).status, t.from);
      const exam = await service.runExam(agent.id, t.to, { actor: 'admin' });
      assert.equal(exam.passed, true);
      assert.equal(exam.sandboxResult.reason, '');
      assert.equal(exam.sandboxResult.runs.length, Math.min(t.episodes, 20), 'replays at most 20 recent episodes');
      const [row] = exams();
      assert.deepEqual([row.agent_id, row.from_status, row.to_status, row.passed, row.readiness_score], [agent.id, t.from, t.to, 1, 100]);
      assert.deepEqual(agentRow(agent.id), { status: t.to, confidence_score: t.floor });
      assert.equal(resolveDeps({ db }).agents.require(agent.id).status, t.to, 'a separately built repository sees the promotion');
      assert.deepEqual(deps.audit.list({ agentId: agent.id }).map((e) => e.action), ['graduation.exam', 'agent.promoted']);
      assert.deepEqual(deps.audit.list({ action: 'agent.promoted' })[0].details, { from: t.from, to: t.to, reason: `passed graduation exam ${exam.id}` });
      assert.equal(exam.id, 'exam-1');
    });

    it(`${t.from} → ${t.to}: fails with too few episodes, records the reason and leaves the agent alone`, async () => {
      const agent = seedAgent(db, { status: t.from });
      seedEpisodes(db, agent.id, t.episodes - 1, { interventions: 0, constitutionalScore: 1 });
      const exam = await service.runExam(agent.id, t.to);
      assert.equal(exam.passed, false);
      assert.equal(exam.sandboxResult.reason, `criterion episodes not met (required ${t.episodes}, actual ${t.episodes - 1})`);
      const [row] = exams();
      assert.equal(row.passed, 0);
      assert.equal(JSON.parse(row.sandbox_result).reason, exam.sandboxResult.reason);
      assert.equal(agentRow(agent.id).status, t.from);
      const [audit] = deps.audit.list({ action: 'graduation.exam' });
      assert.deepEqual([audit.actor, (audit.details as { passed: boolean }).passed], ['graduation-service', false]);
      assert.equal(countRows(db, 'audit_log', 'action = ?', ['agent.promoted']), 0);
    });
  }

  it('keeps a confidence already above the new floor when promoting', async () => {
    const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.62 });
    seedEpisodes(db, agent.id, 10);
    await service.runExam(agent.id, 'INTERN');
    assert.deepEqual(agentRow(agent.id), { status: 'INTERN', confidence_score: 0.62 });
  });

  it('fails on a critical constitutional violation even when every criterion holds', async () => {
    const ws = seedWorkspace(db);
    const agent = seedAgent(db, { status: 'STUDENT', workspaceId: ws });
    seedEpisodes(db, agent.id, 10);
    seedRule(db, { code: 'NO_DELETE', severity: 'critical', predicate: { field: 'action', op: 'eq', value: 'delete_all' }, workspaceId: ws });
    const sandbox = new ScriptedSandbox({ s2: { success: true, output: { action: 'delete_all' } } });
    const s = new GraduationService({ ...deps, sandbox });
    const scenarios: SandboxScenario[] = ['s1', 's2', 's3'].map((id) => ({ id, source: 'exam', input: { action: 'read' } }));
    const exam = await s.runExam(agent.id, 'INTERN', { scenarios });
    assert.deepEqual(sandbox.seen, ['s1', 's2', 's3']);
    assert.equal(exam.passed, false);
    assert.equal(exam.sandboxResult.reason, 'critical violation NO_DELETE in scenario s2');
    const stored = JSON.parse(exams()[0].violations) as Array<{ ruleCode: string; severity: string; scenarioId: string }>;
    assert.deepEqual(stored.map((v) => [v.ruleCode, v.severity, v.scenarioId]), [['NO_DELETE', 'critical', 's2']]);
    assert.deepEqual(exam.sandboxResult.runs.map((r) => r.complianceScore), [1, 0, 1]);
    assert.equal(agentRow(agent.id).status, 'STUDENT');
  });

  it('passes with non-critical violations, recording them with code and severity', async () => {
    const agent = seedAgent(db, { status: 'INTERN' });
    seedEpisodes(db, agent.id, 25);
    seedRule(db, { code: 'TONE', severity: 'low', pattern: 'asap' });
    seedRule(db, { code: 'PII', severity: 'high', pattern: '@example\\.test' });
    const s = new GraduationService({ ...deps, sandbox: new ScriptedSandbox({ a: { success: true, output: 'reply asap to bob@example.test' } }) });
    const exam = await s.runExam(agent.id, 'SUPERVISED', { scenarios: [{ id: 'a', source: 'exam', input: null }] });
    assert.equal(exam.passed, true);
    assert.deepEqual(exam.violations.map((v) => [v.ruleCode, v.severity]), [['PII', 'high'], ['TONE', 'low']]);
    assert.equal(exam.sandboxResult.runs[0].complianceScore, 0.6);
    assert.equal(agentRow(agent.id).status, 'SUPERVISED');
  });

  it('ignores another workspace’s rules', async () => {
    const mine = seedWorkspace(db);
    const theirs = seedWorkspace(db);
    const agent = seedAgent(db, { status: 'STUDENT', workspaceId: mine });
    seedEpisodes(db, agent.id, 10);
    seedRule(db, { code: 'THEIRS', severity: 'critical', pattern: 'outcome', workspaceId: theirs });
    const exam = await service.runExam(agent.id, 'INTERN');
    assert.deepEqual([exam.passed, exam.violations], [true, []]);
  });

  it('fails when the sandbox success rate is below the minimum, recording runs that threw', async () => {
    const agent = seedAgent(db, { status: 'STUDENT' });
    seedEpisodes(db, agent.id, 10);
    const sandbox = new ScriptedSandbox({ x: new Error('sandbox timed out'), y: { success: false, output: {} } });
    const s = new GraduationService({ ...deps, sandbox });
    const scenarios: SandboxScenario[] = ['w', 'x', 'y', 'z'].map((id) => ({ id, source: 'exam', input: {} }));
    const exam = await s.runExam(agent.id, 'INTERN', { scenarios });
    assert.equal(exam.passed, false);
    assert.equal(exam.sandboxResult.successRate, 0.5);
    assert.equal(exam.sandboxResult.reason, 'sandbox success rate 0.5 below 0.8');
    assert.deepEqual(exam.sandboxResult.runs[1], { scenarioId: 'x', source: 'exam', success: false, error: 'sandbox timed out', complianceScore: 0 });
    assert.deepEqual(JSON.parse(exams()[0].sandbox_result).runs[1].error, 'sandbox timed out');
  });

  it('accepts a lower configured success rate', async () => {
    const agent = seedAgent(db, { status: 'STUDENT' });
    seedEpisodes(db, agent.id, 5, { outcome: 'success' });
    seedEpisodes(db, agent.id, 5, { outcome: 'failure' });
    const strict = await service.runExam(agent.id, 'INTERN');
    assert.equal(strict.passed, false, 'the default replay sandbox fails the 5 failed episodes');
    const lenient = await new GraduationService({ ...deps, minSandboxSuccessRate: 0.5 }).runExam(agent.id, 'INTERN');
    assert.equal(lenient.passed, true);
    assert.deepEqual(service.listExams(agent.id).map((e) => e.passed), [false, true]);
  });

  it('replays only the configured number of most recent episodes', async () => {
    const agent = seedAgent(db, { status: 'STUDENT' });
    seedEpisodes(db, agent.id, 12);
    const sandbox = new ScriptedSandbox();
    const exam = await new GraduationService({ ...deps, sandbox, examEpisodes: 3 }).runExam(agent.id, 'INTERN');
    assert.equal(sandbox.seen.length, 3);
    assert.equal(exam.sandboxResult.runs.every((r) => r.source === 'episode'), true);
  });

  it('fails an exam without any scenario', async () => {
    const agent = seedAgent(db, { status: 'STUDENT' });
    seedEpisodes(db, agent.id, 10);
    const exam = await service.runExam(agent.id, 'INTERN', { scenarios: [] });
    assert.deepEqual([exam.passed, exam.sandboxResult.reason, exam.sandboxResult.successRate], [false, 'no exam scenarios: record episodes or supply scenarios', 0]);
  });

  it('lists every failure reason together', async () => {
    const agent = seedAgent(db, { status: 'SUPERVISED' });
    seedEpisodes(db, agent.id, 3, { interventions: 2, constitutionalScore: 0.5, outcome: 'failure' });
    seedRule(db, { code: 'FAIL_OUT', severity: 'critical', pattern: '"outcome":"failure"' });
    const exam = await service.runExam(agent.id, 'AUTONOMOUS');
    assert.equal(
      exam.sandboxResult.reason,
      [
        'criterion episodes not met (required 50, actual 3)',
        'criterion interventionRate not met (required 0, actual 1)',
        'criterion constitutionalScore not met (required 0.95, actual 0.5)',
        'sandbox success rate 0 below 0.8',
        ...exam.violations.map((v) => `critical violation FAIL_OUT in scenario ${v.scenarioId}`),
      ].join('; '),
    );
    assert.equal(exam.violations.length, 3);
    assert.deepEqual(service.listExams(agent.id), [exam], 'the stored row reads back as the returned exam');
  });

  it('refuses an agent already at or beyond the target, a non-adjacent target and a PAUSED agent, writing nothing', async () => {
    const intern = seedAgent(db, { status: 'INTERN' });
    const student = seedAgent(db, { status: 'STUDENT' });
    const paused = seedAgent(db, { status: 'PAUSED' });
    seedEpisodes(db, student.id, 60);
    const before = snapshotRows(db);
    const refusals: Array<[string, MaturityLevel, string]> = [
      [intern.id, 'INTERN', 'INVALID_TRANSITION'],
      [intern.id, 'STUDENT', 'INVALID_TRANSITION'],
      [student.id, 'SUPERVISED', 'INVALID_TRANSITION'],
      [student.id, 'AUTONOMOUS', 'INVALID_TRANSITION'],
      [paused.id, 'INTERN', 'INVALID_STATUS'],
      ['ghost', 'INTERN', 'AGENT_NOT_FOUND'],
    ];
    for (const [id, target, code] of refusals) {
      await assert.rejects(() => service.runExam(id, target), (err: GovernanceError) => err.code === code, `${id} → ${target}`);
    }
    assert.deepEqual(snapshotRows(db), before);
  });

  it('refuses and stores nothing when the agent moved to the target while the sandbox ran', async () => {
    const agent = seedAgent(db, { status: 'STUDENT' });
    seedEpisodes(db, agent.id, 10);
    const racing: SandboxExecutor = {
      run: async (_a, scenario) => {
        if (agentRow(agent.id).status === 'STUDENT') deps.agents.promote(agent.id, 'INTERN', { actor: 'training', reason: 'training completed' });
        return { success: true, output: scenario.input as Json };
      },
    };
    await assert.rejects(() => new GraduationService({ ...deps, sandbox: racing }).runExam(agent.id, 'INTERN'), (err: GovernanceError) => err.code === 'INVALID_TRANSITION');
    assert.equal(countRows(db, 'graduation_exams'), 0);
    assert.equal(countRows(db, 'audit_log', 'action = ?', ['graduation.exam']), 0);
    assert.equal(agentRow(agent.id).status, 'INTERN');
  });

  it('works with default dependencies (system clock, random ids)', async () => {
    const agent = seedAgent(db, { status: 'STUDENT' });
    seedEpisodes(db, agent.id, 10);
    const exam = await new GraduationService({ db }).runExam(agent.id, 'INTERN');
    assert.equal(exam.passed, true);
    assert.match(exam.id, /^[0-9a-f-]{36}$/);
    assert.equal(agentRow(agent.id).status, 'INTERN');
  });

  it('the trigger interceptor routes by the new level right after a promotion (nothing cached)', async () => {
    const interceptor = new TriggerInterceptor(deps);
    const agent = seedAgent(db, { status: 'INTERN' });
    seedEpisodes(db, agent.id, 25);
    const action = { type: 'canvas', payload: { kind: 'form', fields: [{ name: 'report' }] } };
    assert.equal((await interceptor.intercept(agent.id, 'WORKFLOW_ENGINE', 'report.requested', { actionComplexity: 3, action })).decision, 'PROPOSE');
    await service.runExam(agent.id, 'SUPERVISED');
    assert.equal((await interceptor.intercept(agent.id, 'WORKFLOW_ENGINE', 'report.requested', { actionComplexity: 3 })).decision, 'SUPERVISE');
  });
});
