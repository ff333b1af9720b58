/**
 * Pure mapping from engine run events to test-item updates (plain data, 0-based lines). The
 * vscode layer (`runner.ts`) turns these into `TestRun` calls. No vscode runtime import.
 */
import type { FailureInfo, RunEvent } from '../coverage/model';

/** A message for the Test Results view, 0-based location. */
export interface MessageData {
  message: string;
  /** Present together with `actual` → shown as a diff. */
  expected?: string;
  actual?: string;
  location?: { file: string; line: number; column: number };
  stack?: string;
}

/** What to do with one test item for an event. */
export type TestUpdate =
  | { kind: 'started'; id: string; file: string; titlePath: string[] }
  | { kind: 'passed'; id: string; file: string; titlePath: string[]; durationMs: number }
  | { kind: 'failed'; id: string; file: string; titlePath: string[]; durationMs: number; message: MessageData }
  | { kind: 'skipped'; id: string; file: string; titlePath: string[] }
  | { kind: 'errored'; id: string; file: string; titlePath: string[]; message: MessageData };

/** Converts the engine's failure (1-based line) into message data (0-based line). */
export function failureToMessage(failure: FailureInfo, timedOut = false): MessageData {
  const data: MessageData = { message: timedOut ? `Timed out: ${failure.message}` : failure.message };
  if (failure.expected !== undefined && failure.actual !== undefined) {
    data.expected = failure.expected;
    data.actual = failure.actual;
  }
  if (failure.location) {
    data.location = {
      file: failure.location.file,
      line: Math.max(0, failure.location.line - 1),
      column: Math.max(0, failure.location.column),
    };
  }
  if (failure.stack) data.stack = failure.stack;
  return data;
}

/**
 * Maps one engine event to a test-item update; `undefined` for events that touch no item
 * (start, output, suite boundaries, end). A file that fails to load becomes an errored file item.
 */
export function eventToUpdate(event: RunEvent): TestUpdate | undefined {
  switch (event.type) {
    case 'testStart':
      return { kind: 'started', id: event.id, file: event.file, titlePath: event.titlePath };
    case 'testPass':
      return { kind: 'passed', id: event.id, file: event.file, titlePath: event.titlePath, durationMs: event.durationMs };
    case 'testFail':
      return {
        kind: 'failed',
        id: event.id,
        file: event.file,
        titlePath: event.titlePath,
        durationMs: event.durationMs,
        message: failureToMessage(event.failure, event.timedOut),
      };
    case 'testSkip':
      return { kind: 'skipped', id: event.id, file: event.file, titlePath: event.titlePath };
    case 'fileError':
      return {
        kind: 'errored',
        id: event.file,
        file: event.file,
        titlePath: [],
        message: failureToMessage({ ...event.error, message: `Failed to load: ${event.error.message}` }),
      };
    default:
      return undefined;
  }
}

/** One line for the log channel per event worth logging, or undefined. */
export function eventLogLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'start':
      return `run started: ${event.total} test(s) in ${event.files.length} file(s)`;
    case 'testPass':
      return `passed ${event.titlePath.join(' › ')} (${event.durationMs} ms)`;
    case 'testFail':
      return `FAILED ${event.titlePath.join(' › ')} (${event.durationMs} ms): ${event.failure.message}`;
    case 'fileError':
      return `file failed to load: ${event.file}: ${event.error.message}`;
    case 'end':
      return (
        `run ended: ${event.stats.passed} passed, ${event.stats.failed} failed, ${event.stats.skipped} skipped ` +
        `in ${event.stats.durationMs} ms${event.cancelled ? ' (cancelled)' : ''}${event.timedOut ? ' (timed out)' : ''}` +
        `${event.error ? ` — ${event.error}` : ''}`
      );
    default:
      return undefined;
  }
}
