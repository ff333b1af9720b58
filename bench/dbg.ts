import { embeddedConfig, startRun, findTestFiles } from '../src/coverage/index';
import { splitShards, eventRecorder } from '../src/continuous/shard';
import { mergeShards } from '../src/continuous/merge';
(async () => {
  const config = embeddedConfig();
  const single = await startRun({ config, perTest: true, keepRaw: true }).result;
  const parts = splitShards(config.root, await findTestFiles(config), {}, 3);
  const records: any[] = [];
  for (const [i, files] of parts.entries()) { const result = JSON.parse(JSON.stringify(await startRun({ config, files, perTest: true, keepRaw: true }).result)); records.push({ k: i + 1, n: 3, root: config.root, files, result, failures: [], durations: {} }); }
  const merged = await mergeShards(records, config);
  let shown = 0;
  for (const [t, c] of Object.entries(single.perTest!)) {
    const m = merged.perTest![t] ?? {};
    for (const f of new Set([...Object.keys(c), ...Object.keys(m)])) {
      const a = JSON.stringify({ s: c[f]?.s, f: c[f]?.f }), b = JSON.stringify({ s: m[f]?.s, f: m[f]?.f });
      if (a !== b && shown++ < 4) console.log(t.replace(/\u001f/g, ' > '), f, '\n S', a, '\n M', b);
    }
  }
  console.log('diffs', shown, 'tests', Object.keys(single.perTest!).length, Object.keys(merged.perTest!).length);
})();
