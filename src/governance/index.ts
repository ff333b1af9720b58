/**
 * Public surface of the governance domain (no `vscode` import anywhere under src/governance).
 * Engineer A owns the first block; engineer B appends its services' exports at the end.
 */
export * from './types';
export * from './errors';
export * from './audit';
export * from './agents';
export * from './proposals';
export { GovernanceDatabase, loadSqlJs, type SqlParam } from './db/database';
export {
  assertSchema,
  bootstrapSchema,
  checkSchema,
  expectedSchema,
  schemaStatements,
  type SchemaCheckResult,
  type SchemaQueryable,
} from './db/schema';
export * from './studentTrainingService';
export * from './supervisionService';
export * from './triggerInterceptor';
export * from './executors';
export * from './proposalService';
export * from './constitution';
export * from './evidence';
export * from './graduationService';
