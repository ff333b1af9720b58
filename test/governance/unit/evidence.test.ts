import { strict as assert } from 'node:assert';
import { recordWorkEpisode } from '../../../src/governance/evidence';
import { allRows, freshDb, seedAgent, testDeps } from '../fixtures';

// Written by following the gap-closure hint on `recordWorkEpisode` (src/governance/evidence.ts) to
// the letter: an agent paused meanwhile is recorded at the level its confidence implies.
describe('recordWorkEpisode', () => {
  it('recordWorkEpisode returns { episodeId, maturityAtTime, constitutionalScore, violations } when !(isMaturityLevel(agent.status))', async () => {
    const db = await freshDb();
    const deps = testDeps(db);
    const agent = seedAgent(db, { status: 'PAUSED', confidence: 0.75 });
    const work = {
      agentId: agent.id,
      outcome: 'success' as const,
      humanInterventionCount: 0,
      subject: { action: 'present' },
      startedAt: '2026-01-01T09:00:00.000Z',
      completedAt: '2026-01-01T09:05:00.000Z',
    };
    const result = recordWorkEpisode(deps, work);
    assert.deepEqual(result, { episodeId: result.episodeId, maturityAtTime: 'SUPERVISED', constitutionalScore: 1, violations: [] });
    const rows = allRows<{ id: string; maturity_at_time: string }>(db, 'agent_episodes');
    assert.deepEqual(rows.map((r) => [r.id, r.maturity_at_time]), [[result.episodeId, 'SUPERVISED']]);
  });
});
