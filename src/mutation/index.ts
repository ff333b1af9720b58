/**
 * The mutation engine's public API (no `vscode` import): StrykerJS runs in a worker process group
 * (run.ts), the analysis of its report against the `mutation` targets (analyze.ts), the plan's
 * "Test strength" section (plan.ts) and the `mutate` command (cli.ts).
 */
export * from './model';
export { startMutation, mutationPaths } from './run';
export { analyzeMutation, scoreOf, mutantsNeeded } from './analyze';
export { mutationTargetFor, resolveMutate, MutationInputError } from './options';
export { renderStrengthSection, writeStrengthSection } from './plan';
