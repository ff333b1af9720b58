import { loadConfig, startRun, analyze, renderPlan } from '../src/coverage/index';
(async () => {
  const config = await loadConfig('/work/wt/continuous/test/fixtures/basic');
  for (const perTest of [false, true]) {
    const r = await startRun({ config, perTest }).result;
    console.log(perTest, renderPlan(await analyze(r, config), config).split('\n').filter((l) => /Verify/.test(l)).join('\n'));
  }
})();
