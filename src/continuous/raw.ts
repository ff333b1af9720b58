/**
 * A run's raw coverage, kept when a run is one shard of several (`run --shard k/n`): what the
 * child sent (each source file's compiled JavaScript, the final V8 take mapped to that code, the
 * probes and each test's touched probe ids). `governance-coverage merge` converts the shards'
 * raw data together, so the merged coverage is converted once from all counts, exactly as one
 * run would be (see merge.ts), instead of merging converted reports whose structures differ.
 */
import type { Profiler } from 'inspector';
import type { ProbeFile } from './perTest';

export interface RawCoverage {
  /** source files of the run (absolute) */
  sourceFiles: string[];
  /** compiled JavaScript of each loaded source file */
  compiled: Record<string, string>;
  /** the final take of each loaded source file (helpers stripped) */
  take: Record<string, Profiler.FunctionCoverage[]>;
  probes: Record<string, ProbeFile>;
  touched: Record<string, number[]>;
}

/** Build the raw record from the runner's state after conversion. */
export function rawCoverage(
  sourceFiles: string[],
  compiled: Map<string, string>,
  take: { scripts: Map<string, Profiler.FunctionCoverage[]> } | undefined,
  probes: Map<string, ProbeFile>,
  touched: Map<string, number[]>,
): RawCoverage {
  return {
    sourceFiles,
    compiled: Object.fromEntries(compiled),
    take: take ? Object.fromEntries([...take.scripts].filter(([f]) => compiled.has(f))) : {},
    probes: Object.fromEntries(probes),
    touched: Object.fromEntries(touched),
  };
}
