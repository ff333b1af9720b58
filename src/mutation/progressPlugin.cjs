/**
 * A StrykerJS reporter plugin ("governance-progress") that forwards Stryker's reporter events to
 * the sink our worker installs on `globalThis.__governanceMutationSink` (see worker.ts). Plain
 * CommonJS on purpose: Stryker loads plugins with `import()` in its main process AND in every
 * test-runner child process it forks (without our `tsx` hooks), so this file must load as is,
 * with no side effect; the sink exists only in our worker, where the reporter is instantiated.
 */
'use strict';

const sink = (message) => {
  const send = globalThis.__governanceMutationSink;
  if (typeof send === 'function') send(message);
};

class GovernanceProgressReporter {
  onDryRunCompleted(event) {
    const tests = event.result && event.result.tests ? event.result.tests.length : 0;
    sink({ type: 'dryRun', tests, timing: event.timing });
  }

  onMutationTestingPlanReady(event) {
    const plans = event.mutantPlans || [];
    const run = plans.filter((p) => p.plan === 'Run').length;
    sink({ type: 'plan', total: plans.length, run, early: plans.length - run });
  }

  onMutantTested(result) {
    sink({
      type: 'mutant',
      id: result.id,
      fileName: result.fileName,
      status: result.status,
      mutatorName: result.mutatorName,
      replacement: result.replacement,
      location: result.location,
    });
  }
}
GovernanceProgressReporter.inject = [];

module.exports.strykerPlugins = [{ kind: 'Reporter', name: 'governance-progress', injectableClass: GovernanceProgressReporter }];
