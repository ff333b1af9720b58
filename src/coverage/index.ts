/**
 * The coverage engine's public API (no `vscode` import): configuration, runs in a child process
 * with V8 coverage (see v8.ts for the measured choice over istanbul instrumentation), analysis
 * against targets with gaps and hints, and reports. The editor and the CLI code against these
 * names; the data model is in model.ts.
 */
export * from './model';
export { ConfigError, NoSetupError, embeddedConfig, extensionRoot, isThisProject, loadConfig, loadConfigFile, resolveConfig, CONFIG_FILE, PACKAGE_KEY } from './config';
export { startRun, findTestFiles, findSourceFiles } from './runner';
export { resolveNode, RuntimeError, MIN_NODE } from './runtime';
export { findRoots } from './roots';
export { readCoverageReport, reportResult } from './importReport';
export { analyze, figuresOf, targetFor, neededFor } from './analyze';
export { writeReports, renderPlan, runComplete } from './reports';
export { ReportWriteError } from './reportFolder';
export { renderTable, renderHints, closingLine, topGaps } from './render';
export { parseSource } from './ast';
export { describeSide } from './branches';
export { startAffected, selectAffected, selectionOptions, type AffectedRun, type Change, type Selection } from '../continuous/continuous';
