import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { GovernanceError, TRANSITION_CRITERIA, type GovernanceDatabase, type TransitionCriteria } from '../../../src/governance';
import {
  EpisodeReplaySandbox,
  GraduationService,
  checkCriteria,
  criteriaFor,
  readinessScore,
  type ReadinessInput,
} from '../../../src/governance/graduationService';
import { codeOf, freshDb, seedAgent, seedEpisodes, snapshotRows, testDeps } from '../fixtures';

const ALL_CRITERIA = Object.values(TRANSITION_CRITERIA);

describe('graduation readiness', () => {
  describe('readinessScore (the spec formula)', () => {
    it('weights episodes 40%, intervention rate 30% and constitutional compliance 30%', () => {
      assert.deepEqual(readinessScore({ episodes: 5, interventionRate: 0.25, constitutionalScore: 0.8 }, TRANSITION_CRITERIA.INTERN), {
        score: 59,
        episodesScore: 50,
        interventionScore: 50,
        constitutionalScore: 80,
      });
      assert.equal(readinessScore({ episodes: 25, interventionRate: 0, constitutionalScore: 1 }, TRANSITION_CRITERIA.SUPERVISED).score, 100);
      assert.equal(readinessScore({ episodes: 0, interventionRate: 5, constitutionalScore: 0 }, TRANSITION_CRITERIA.SUPERVISED).score, 0);
    });

    it('caps the episode and intervention parts at their thresholds', () => {
      const r = readinessScore({ episodes: 500, interventionRate: 0.9, constitutionalScore: 0.5 }, TRANSITION_CRITERIA.INTERN);
      assert.deepEqual(r, { score: 55, episodesScore: 100, interventionScore: 0, constitutionalScore: 50 });
    });

    it('with a 0% maximum (→ AUTONOMOUS) any intervention at all loses the whole intervention part', () => {
      const c = TRANSITION_CRITERIA.AUTONOMOUS;
      assert.equal(readinessScore({ episodes: 50, interventionRate: 0, constitutionalScore: 1 }, c).interventionScore, 100);
      assert.equal(readinessScore({ episodes: 50, interventionRate: 0.02, constitutionalScore: 1 }, c).interventionScore, 0);
    });

    it('clamps out-of-range inputs and refuses non-finite ones', () => {
      assert.deepEqual(readinessScore({ episodes: -3, interventionRate: -1, constitutionalScore: 1.7 }, TRANSITION_CRITERIA.INTERN), {
        score: 60,
        episodesScore: 0,
        interventionScore: 100,
        constitutionalScore: 100,
      });
      assert.throws(
        () => readinessScore({ episodes: NaN, interventionRate: 0, constitutionalScore: 1 }, TRANSITION_CRITERIA.INTERN),
        (err: GovernanceError) => err.code === 'INVALID_ARGUMENT' && /episodes must be a finite number/.test(err.message),
      );
      assert.equal(codeOf(() => readinessScore({ episodes: 1, interventionRate: Infinity, constitutionalScore: 1 }, TRANSITION_CRITERIA.INTERN)), 'INVALID_ARGUMENT');
    });

    const input = fc.record({
      episodes: fc.integer({ min: 0, max: 200 }),
      interventionRate: fc.double({ min: 0, max: 5, noNaN: true }),
      constitutionalScore: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const criteria = fc.constantFrom<TransitionCriteria>(...ALL_CRITERIA);

    it('stays within [0, 100] for any input (property)', () => {
      fc.assert(
        fc.property(input, criteria, (i, c) => {
          const r = readinessScore(i, c);
          for (const v of [r.score, r.episodesScore, r.interventionScore, r.constitutionalScore]) assert.ok(v >= 0 && v <= 100, `${v} out of range`);
        }),
        { numRuns: 500 },
      );
    });

    it('never drops when episodes grow, never rises when interventions grow, never drops when compliance grows (property)', () => {
      fc.assert(
        fc.property(
          input,
          criteria,
          fc.integer({ min: 0, max: 100 }),
          fc.double({ min: 0, max: 2, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (i: ReadinessInput, c, moreEpisodes, moreRate, moreCompliance) => {
            const base = readinessScore(i, c).score;
            assert.ok(readinessScore({ ...i, episodes: i.episodes + moreEpisodes }, c).score >= base, 'more episodes lowered it');
            assert.ok(readinessScore({ ...i, interventionRate: i.interventionRate + moreRate }, c).score <= base, 'more interventions raised it');
            const higher = Math.min(1, i.constitutionalScore + moreCompliance);
            assert.ok(readinessScore({ ...i, constitutionalScore: higher }, c).score >= base, 'more compliance lowered it');
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('criteriaFor / checkCriteria', () => {
    it('returns the spec table for each adjacent transition', () => {
      assert.deepEqual(criteriaFor('STUDENT', 'INTERN'), { from: 'STUDENT', to: 'INTERN', minEpisodes: 10, maxInterventionRate: 0.5, minConstitutionalScore: 0.7 });
      assert.deepEqual(criteriaFor('INTERN', 'SUPERVISED'), { from: 'INTERN', to: 'SUPERVISED', minEpisodes: 25, maxInterventionRate: 0.2, minConstitutionalScore: 0.85 });
      assert.deepEqual(criteriaFor('SUPERVISED', 'AUTONOMOUS'), { from: 'SUPERVISED', to: 'AUTONOMOUS', minEpisodes: 50, maxInterventionRate: 0, minConstitutionalScore: 0.95 });
    });

    it('refuses non-adjacent, backward and non-maturity transitions', () => {
      for (const [from, to] of [['STUDENT', 'SUPERVISED'], ['INTERN', 'STUDENT'], ['PAUSED', 'INTERN'], ['STUDENT', 'DEPRECATED']] as const) {
        assert.throws(() => criteriaFor(from, to), (err: GovernanceError) => err.code === 'INVALID_TRANSITION' && err.message.includes(`${from} → ${to}`));
      }
    });

    it('checks each criterion against its threshold, inclusive', () => {
      const checks = checkCriteria({ episodes: 10, interventionRate: 0.6, constitutionalScore: 0.7 }, TRANSITION_CRITERIA.INTERN);
      assert.deepEqual(checks, [
        { name: 'episodes', required: 10, actual: 10, met: true },
        { name: 'interventionRate', required: 0.5, actual: 0.6, met: false },
        { name: 'constitutionalScore', required: 0.7, actual: 0.7, met: true },
      ]);
    });
  });

  describe('GraduationService.readiness (from agent_episodes)', () => {
    let db: GovernanceDatabase;
    let service: GraduationService;

    beforeEach(async () => {
      db = await freshDb();
      service = new GraduationService(testDeps(db));
    });
    afterEach(() => db.close());

    it('reports a ready STUDENT with no failing criteria and no recommendations', () => {
      const agent = seedAgent(db, { status: 'STUDENT' });
      seedEpisodes(db, agent.id, 10, { interventions: 0, constitutionalScore: 0.9 });
      const r = service.readiness(agent.id);
      assert.deepEqual(
        { from: r.from, to: r.to, ready: r.ready, score: r.score, failing: r.failing, recommendations: r.recommendations },
        { from: 'STUDENT', to: 'INTERN', ready: true, score: 97, failing: [], recommendations: [] },
      );
      assert.equal(r.criteria.length, 3);
    });

    it('lists every failing criterion with a recommendation', () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      seedEpisodes(db, agent.id, 5, { interventions: 1, constitutionalScore: 0.6 });
      seedEpisodes(db, agent.id, 3, { status: 'running' });
      const r = service.readiness(agent.id, 'SUPERVISED');
      assert.equal(r.ready, false);
      assert.deepEqual(r.failing.map((c) => [c.name, c.actual]), [['episodes', 5], ['interventionRate', 1], ['constitutionalScore', 0.6]]);
      assert.deepEqual(r.recommendations, [
        'Complete 20 more episode(s): 5 of the 25 required for SUPERVISED.',
        'Reduce the share of episodes needing a human intervention to at most 20% (now 100%), e.g. through supervised practice.',
        'Raise constitutional compliance to at least 0.85 (now 0.6): review the rule violations in recent episodes and retrain on them.',
      ]);
      assert.equal(r.score, 26);
    });

    it('recommends intervention-free episodes for AUTONOMOUS', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      seedEpisodes(db, agent.id, 50, { interventions: 0 });
      seedEpisodes(db, agent.id, 1, { interventions: 1 });
      const r = service.readiness(agent.id);
      assert.equal(r.to, 'AUTONOMOUS');
      assert.deepEqual(r.recommendations, ["Run episodes without any human intervention: AUTONOMOUS allows none, 2% of the agent's episodes had one."]);
      assert.equal(r.interventionScore, 0);
    });

    it('names the agent, its status and the target in every refusal', () => {
      const paused = seedAgent(db, { status: 'PAUSED', name: 'Idle' }).id;
      const auto = seedAgent(db, { status: 'AUTONOMOUS', name: 'Top' }).id;
      const intern = seedAgent(db, { status: 'INTERN', name: 'Clerk' }).id;
      const refusal = (fn: () => unknown): [string, string, unknown] => {
        try {
          fn();
        } catch (err) {
          return [(err as GovernanceError).code, (err as GovernanceError).message, (err as GovernanceError).details];
        }
        return assert.fail('expected a refusal');
      };
      assert.deepEqual(refusal(() => service.readiness(paused)), ['INVALID_STATUS', 'Agent "Idle" is PAUSED; only agents at a maturity level can graduate.', { agentId: paused, status: 'PAUSED' }]);
      assert.deepEqual(refusal(() => service.readiness(auto)), ['INVALID_TRANSITION', 'Agent "Top" is already AUTONOMOUS, the highest level; there is nothing to graduate to.', { agentId: auto, status: 'AUTONOMOUS', target: null }]);
      assert.deepEqual(refusal(() => service.readiness(intern, 'INTERN'))[2], { agentId: intern, status: 'INTERN', target: 'INTERN' });
      assert.deepEqual(refusal(() => criteriaFor('STUDENT', 'SUPERVISED'))[2], { from: 'STUDENT', to: 'SUPERVISED' });
    });

    it('refuses an unknown agent, a PAUSED agent, an AUTONOMOUS agent and a target at, below or beyond the next level', () => {
      const paused = seedAgent(db, { status: 'PAUSED' }).id;
      const auto = seedAgent(db, { status: 'AUTONOMOUS' }).id;
      const intern = seedAgent(db, { status: 'INTERN' }).id;
      const before = snapshotRows(db);
      assert.equal(codeOf(() => service.readiness('ghost')), 'AGENT_NOT_FOUND');
      assert.equal(codeOf(() => service.readiness(paused)), 'INVALID_STATUS');
      assert.throws(() => service.readiness(auto), (err: GovernanceError) => err.code === 'INVALID_TRANSITION' && /the highest level/.test(err.message));
      assert.throws(() => service.readiness(intern, 'INTERN'), (err: GovernanceError) => err.code === 'INVALID_TRANSITION' && /already INTERN, at or beyond INTERN/.test(err.message));
      assert.equal(codeOf(() => service.readiness(intern, 'STUDENT')), 'INVALID_TRANSITION');
      assert.equal(codeOf(() => service.readiness(intern, 'AUTONOMOUS')), 'INVALID_TRANSITION');
      assert.deepEqual(snapshotRows(db), before);
    });
  });

  describe('EpisodeReplaySandbox (default sandbox)', () => {
    const agent = { id: 'a', name: 'A', category: 'general', workspaceId: null, status: 'STUDENT' as const, confidenceScore: 0.3, createdAt: '', updatedAt: '' };

    it('replays an episode: success when its outcome was success, output is the episode', async () => {
      const sandbox = new EpisodeReplaySandbox();
      assert.deepEqual(await sandbox.run(agent, { id: 'e1', source: 'episode', input: { outcome: 'success' } }), { success: true, output: { outcome: 'success' } });
      assert.equal((await sandbox.run(agent, { id: 'e2', source: 'episode', input: { outcome: 'partial' } })).success, false);
    });

    it('refuses caller-supplied exam scenarios with EXECUTOR_UNAVAILABLE', async () => {
      await assert.rejects(
        () => new EpisodeReplaySandbox().run(agent, { id: 's', source: 'exam', input: {} }),
        (err: GovernanceError) => err.code === 'EXECUTOR_UNAVAILABLE' && err.message === 'No sandbox executor is configured for exam scenarios; supply one to the GraduationService.',
      );
    });
  });
});
