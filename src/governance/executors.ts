/**
 * Action payloads, their validation, and the executor interfaces through which an approved
 * proposal acts on the world.
 *
 * A proposal's `proposed_action` column holds a {@link ProposedAction}:
 * `{ "type": "canvas" | "browser" | "device" | "deep_link" | "multi_step", "payload": ... }`
 * (multi-step: `{ "type": "multi_step", "steps": [ { "type": ..., "payload": ... }, ... ] }`).
 * {@link parseProposedAction} validates the whole thing — every step of a multi-step action
 * included — before any executor is called, so a malformed payload never starts a side effect.
 *
 * Executors are external (browser automation, devices, the editor's canvas) and injectable. Each
 * may offer `undo(output)`: when a later step of a multi-step action fails, the proposal service
 * undoes the completed steps in reverse order so no partial execution is left behind.
 */
import { GovernanceError } from './errors';

/** The action types a proposal can execute. */
export const ACTION_TYPES = ['canvas', 'browser', 'device', 'deep_link', 'multi_step'] as const;
/** One of {@link ACTION_TYPES}. */
export type ActionType = (typeof ACTION_TYPES)[number];
/** Action types allowed as a step of a multi-step action (multi-step does not nest). */
export type StepActionType = Exclude<ActionType, 'multi_step'>;

/** A form field presented on a canvas. */
export interface FormField {
  name: string;
  label?: string;
  type?: string;
  required?: boolean;
}
/** Chart types a canvas can draw. */
export const CHART_TYPES = ['line', 'bar', 'pie', 'area', 'scatter'] as const;
/** One of {@link CHART_TYPES}. */
export type ChartType = (typeof CHART_TYPES)[number];
/** A named data series of a chart. */
export interface ChartSeries {
  name: string;
  data: number[];
}
/** A canvas presentation: a form (needs fields), a sheet (columns and rows) or a chart. */
export type CanvasPayload =
  | { kind: 'form'; title?: string; fields: FormField[] }
  | { kind: 'sheet'; title?: string; columns: string[]; rows: unknown[][] }
  | { kind: 'chart'; title?: string; chartType: ChartType; series: ChartSeries[] };

/** One browser automation step. */
export type BrowserStep =
  | { action: 'navigate'; url: string }
  | { action: 'fill'; selector: string; value: string }
  | { action: 'click'; selector: string };
/** Browser automation: ordered navigate/fill/click steps. */
export interface BrowserPayload {
  steps: BrowserStep[];
}

/** Device capabilities an agent can use. */
export const DEVICE_CAPABILITIES = ['camera', 'screen_recording', 'location', 'notifications'] as const;
/** One of {@link DEVICE_CAPABILITIES}. */
export type DeviceCapability = (typeof DEVICE_CAPABILITIES)[number];
/** Capabilities that need an explicit grant by a human before they run. */
export const GRANT_REQUIRED: readonly DeviceCapability[] = ['camera', 'screen_recording'];
/** A device capability request; `grant` is the explicit permission camera/recording need. */
export interface DevicePayload {
  capability: DeviceCapability;
  grant?: { grantedBy: string };
  params?: Record<string, unknown>;
}

/** A deep link, `atom://<resourceType>/<id>`, already checked against the allowlist. */
export interface DeepLinkPayload {
  url: string;
  resourceType: string;
  id: string;
}
/** Resource types a deep link may point at unless the service is configured otherwise. */
export const DEFAULT_DEEP_LINK_RESOURCES: readonly string[] = [
  'agent', 'workflow', 'canvas', 'chat', 'proposal', 'workspace', 'episode', 'report',
];
/** A deep-link id: 1–128 letters, digits, `-` or `_`, starting with a letter or digit. */
export const DEEP_LINK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** A single (non multi-step) validated action. */
export type StepAction =
  | { type: 'canvas'; payload: CanvasPayload }
  | { type: 'browser'; payload: BrowserPayload }
  | { type: 'device'; payload: DevicePayload }
  | { type: 'deep_link'; payload: DeepLinkPayload };
/** A validated proposed action. */
export type ProposedAction = StepAction | { type: 'multi_step'; steps: StepAction[] };

/** What every executor is told about the execution it serves. */
export interface ExecutionContext {
  proposalId: string;
  agentId: string;
  /** Index of the step inside a multi-step action; 0 for a single action. */
  stepIndex: number;
}
/** JSON-serialisable output of an executor; stored in the proposal's execution_result. */
export type ExecutorOutput = Record<string, unknown>;

/** Optional capabilities shared by every executor. */
export interface ExecutorBase {
  /** False when the executor cannot run at all (e.g. no browser configured). Default: true. */
  available?(): boolean;
  /** Reverse a completed call's side effects (used to roll back a failed multi-step action). */
  undo?(output: ExecutorOutput, ctx: ExecutionContext): Promise<void>;
}
/** Presents a canvas (form, sheet, chart) to the user. */
export interface CanvasExecutor extends ExecutorBase {
  present(canvas: CanvasPayload, ctx: ExecutionContext): Promise<ExecutorOutput>;
}
/** Runs browser automation steps (navigate, fill, click). */
export interface BrowserExecutor extends ExecutorBase {
  run(steps: BrowserStep[], ctx: ExecutionContext): Promise<ExecutorOutput>;
}
/** Uses a device capability (camera, screen recording, location, notifications). */
export interface DeviceExecutor extends ExecutorBase {
  invoke(request: DevicePayload, ctx: ExecutionContext): Promise<ExecutorOutput>;
}
/** Opens a validated `atom://` deep link. */
export interface DeepLinkExecutor extends ExecutorBase {
  open(link: DeepLinkPayload, ctx: ExecutionContext): Promise<ExecutorOutput>;
}
/** The executors a proposal service uses, one per action type. */
export interface Executors {
  canvas: CanvasExecutor;
  browser: BrowserExecutor;
  device: DeviceExecutor;
  deepLink: DeepLinkExecutor;
}

/** A canvas the default executor presented. */
export interface PresentedCanvas {
  id: string;
  proposalId: string;
  canvas: CanvasPayload;
}

/**
 * The default, real canvas executor: it records every canvas it presents (the editor reads
 * `presented`), and `undo` withdraws a presented canvas again.
 */
export class RecordingCanvasExecutor implements CanvasExecutor {
  /** Canvases currently presented, oldest first. */
  readonly presented: PresentedCanvas[] = [];
  private seq = 0;

  /** Records the canvas and returns its presentation id. */
  async present(canvas: CanvasPayload, ctx: ExecutionContext): Promise<ExecutorOutput> {
    const id = `canvas-${++this.seq}`;
    this.presented.push({ id, proposalId: ctx.proposalId, canvas });
    return { canvasId: id, kind: canvas.kind };
  }

  /** Withdraws the canvas `output.canvasId` names. */
  async undo(output: ExecutorOutput): Promise<void> {
    const at = this.presented.findIndex((c) => c.id === output.canvasId);
    if (at >= 0) this.presented.splice(at, 1);
  }
}

/**
 * The default deep-link executor: deep links navigate inside the product, so opening one is
 * recorded (`opened`) for the host to follow; `undo` forgets it again.
 */
export class RecordingDeepLinkExecutor implements DeepLinkExecutor {
  /** Links opened, oldest first. */
  readonly opened: DeepLinkPayload[] = [];

  /** Records the link. */
  async open(link: DeepLinkPayload): Promise<ExecutorOutput> {
    this.opened.push(link);
    return { opened: link.url };
  }

  /** Forgets the most recent opening of `output.opened`. */
  async undo(output: ExecutorOutput): Promise<void> {
    const at = this.opened.map((l) => l.url).lastIndexOf(String(output.opened));
    if (at >= 0) this.opened.splice(at, 1);
  }
}

function unavailable(what: string): GovernanceError {
  return new GovernanceError(
    'EXECUTOR_UNAVAILABLE',
    `No ${what} executor is configured; supply one to the ProposalService to run ${what} actions.`,
  );
}

/** Default browser executor: refuses with EXECUTOR_UNAVAILABLE until a real one is supplied. */
export class UnavailableBrowserExecutor implements BrowserExecutor {
  /** Always false. */
  available(): boolean {
    return false;
  }
  /** Always throws EXECUTOR_UNAVAILABLE. */
  async run(): Promise<ExecutorOutput> {
    throw unavailable('browser');
  }
}

/** Default device executor: refuses with EXECUTOR_UNAVAILABLE until a real one is supplied. */
export class UnavailableDeviceExecutor implements DeviceExecutor {
  /** Always false. */
  available(): boolean {
    return false;
  }
  /** Always throws EXECUTOR_UNAVAILABLE. */
  async invoke(): Promise<ExecutorOutput> {
    throw unavailable('device');
  }
}

/** The default executors: real canvas and deep link, refusing browser and device. */
export function defaultExecutors(): Executors {
  return {
    canvas: new RecordingCanvasExecutor(),
    browser: new UnavailableBrowserExecutor(),
    device: new UnavailableDeviceExecutor(),
    deepLink: new RecordingDeepLinkExecutor(),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation: everything is checked before any executor runs
// ---------------------------------------------------------------------------------------------

/** Options for {@link parseProposedAction}. */
export interface ParseOptions {
  /** Resource types a deep link may name; default {@link DEFAULT_DEEP_LINK_RESOURCES}. */
  deepLinkResources?: readonly string[];
  /**
   * Grants recorded outside the payload (e.g. at approval): capability → who granted it. A
   * payload's own `grant.grantedBy` also counts.
   */
  grants?: Partial<Record<DeviceCapability, string>>;
  /** Refuse camera/screen recording without a grant (default true; false when only drafting). */
  checkGrants?: boolean;
}

type Obj = Record<string, unknown>;

function invalid(where: string, problem: string): GovernanceError {
  return new GovernanceError('INVALID_PAYLOAD', `Malformed action payload at ${where}: ${problem}.`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function requireObj(v: unknown, where: string): Obj {
  if (!isObj(v)) throw invalid(where, 'expected an object');
  return v;
}

function requireString(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (!nonEmptyString(v)) throw invalid(`${where}.${key}`, 'expected a non-empty string');
  return v;
}

function requireArray(o: Obj, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length === 0) throw invalid(`${where}.${key}`, 'expected a non-empty array');
  return v;
}

function parseCanvas(p: Obj, where: string): CanvasPayload {
  const title = typeof p.title === 'string' ? p.title : undefined;
  switch (p.kind) {
    case 'form': {
      const fields = requireArray(p, 'fields', where).map((f, i) => {
        const field = requireObj(f, `${where}.fields[${i}]`);
        requireString(field, 'name', `${where}.fields[${i}]`);
        return field as unknown as FormField;
      });
      return { kind: 'form', title, fields };
    }
    case 'sheet': {
      const columns = requireArray(p, 'columns', where);
      if (!columns.every(nonEmptyString)) throw invalid(`${where}.columns`, 'every column needs a name');
      const rows = p.rows;
      if (!Array.isArray(rows)) throw invalid(`${where}.rows`, 'expected an array of rows');
      rows.forEach((r, i) => {
        if (!Array.isArray(r) || r.length !== columns.length) {
          throw invalid(`${where}.rows[${i}]`, `expected an array of ${columns.length} cells`);
        }
      });
      return { kind: 'sheet', title, columns: columns as string[], rows: rows as unknown[][] };
    }
    case 'chart': {
      const chartType = p.chartType;
      if (!CHART_TYPES.includes(chartType as ChartType)) {
        throw invalid(`${where}.chartType`, `expected one of ${CHART_TYPES.join(', ')}`);
      }
      const series = requireArray(p, 'series', where).map((s, i) => {
        const one = requireObj(s, `${where}.series[${i}]`);
        requireString(one, 'name', `${where}.series[${i}]`);
        const data = requireArray(one, 'data', `${where}.series[${i}]`);
        if (!data.every((d) => Number.isFinite(d))) {
          throw invalid(`${where}.series[${i}].data`, 'expected finite numbers');
        }
        return one as unknown as ChartSeries;
      });
      return { kind: 'chart', title, chartType: chartType as ChartType, series };
    }
    default:
      throw invalid(`${where}.kind`, 'expected form, sheet or chart');
  }
}

function parseBrowser(p: Obj, where: string): BrowserPayload {
  const steps = requireArray(p, 'steps', where).map((s, i): BrowserStep => {
    const at = `${where}.steps[${i}]`;
    const step = requireObj(s, at);
    switch (step.action) {
      case 'navigate': {
        const url = requireString(step, 'url', at);
        if (!/^https?:\/\/[^\s/]+/i.test(url)) throw invalid(`${at}.url`, 'expected an http(s) URL');
        return { action: 'navigate', url };
      }
      case 'fill':
        if (typeof step.value !== 'string') throw invalid(`${at}.value`, 'expected a string');
        return { action: 'fill', selector: requireString(step, 'selector', at), value: step.value };
      case 'click':
        return { action: 'click', selector: requireString(step, 'selector', at) };
      default:
        throw invalid(`${at}.action`, 'expected navigate, fill or click');
    }
  });
  return { steps };
}

function parseDevice(p: Obj, where: string, opts: ParseOptions): DevicePayload {
  const capability = p.capability as DeviceCapability;
  if (!DEVICE_CAPABILITIES.includes(capability)) {
    throw invalid(`${where}.capability`, `expected one of ${DEVICE_CAPABILITIES.join(', ')}`);
  }
  const params = p.params === undefined ? undefined : requireObj(p.params, `${where}.params`);
  const grantedBy = isObj(p.grant) && nonEmptyString(p.grant.grantedBy) ? p.grant.grantedBy : opts.grants?.[capability];
  const grant = grantedBy ? { grantedBy } : undefined;
  if (opts.checkGrants !== false && GRANT_REQUIRED.includes(capability) && !grant) {
    throw new GovernanceError(
      'PERMISSION_REQUIRED',
      `Device capability "${capability}" needs an explicit grant: approve the proposal with a grant for "${capability}" or set ${where}.grant.grantedBy to the user who allowed it.`,
    );
  }
  return { capability, grant, params };
}

function parseDeepLink(p: Obj, where: string, resources: readonly string[]): DeepLinkPayload {
  const url = requireString(p, 'url', where);
  const m = /^atom:\/\/([^/]+)\/([^/?#]+)$/.exec(url);
  if (!m) throw invalid(`${where}.url`, 'expected atom://<resourceType>/<id>');
  const [, resourceType, id] = m;
  if (!resources.includes(resourceType)) {
    throw invalid(`${where}.url`, `resource type "${resourceType}" is not allowed (allowed: ${resources.join(', ')})`);
  }
  if (!DEEP_LINK_ID.test(id)) throw invalid(`${where}.url`, `"${id}" is not a valid resource id`);
  return { url, resourceType, id };
}

function parseStep(raw: unknown, where: string, opts: ParseOptions): StepAction {
  const o = requireObj(raw, where);
  if (!ACTION_TYPES.includes(o.type as ActionType)) {
    throw new GovernanceError(
      'UNKNOWN_ACTION_TYPE',
      `${o.type === undefined ? 'Missing action type' : `Unknown action type ${JSON.stringify(o.type)}`} at ${where}.type; expected one of ${ACTION_TYPES.join(', ')}.`,
    );
  }
  if (o.type === 'multi_step') throw invalid(`${where}.type`, 'multi-step actions cannot be nested');
  const payload = requireObj(o.payload, `${where}.payload`);
  const at = `${where}.payload`;
  switch (o.type as StepActionType) {
    case 'canvas':
      return { type: 'canvas', payload: parseCanvas(payload, at) };
    case 'browser':
      return { type: 'browser', payload: parseBrowser(payload, at) };
    case 'device':
      return { type: 'device', payload: parseDevice(payload, at, opts) };
    case 'deep_link':
      return { type: 'deep_link', payload: parseDeepLink(payload, at, opts.deepLinkResources ?? DEFAULT_DEEP_LINK_RESOURCES) };
  }
}

/**
 * Validates a proposal's `proposed_action` (already JSON-decoded) and returns it typed.
 * Throws UNKNOWN_ACTION_TYPE for a type outside {@link ACTION_TYPES}, PERMISSION_REQUIRED for
 * camera/screen recording without a grant, INVALID_PAYLOAD (naming the path) for anything else.
 * @gap action validation: a malformed payload must be refused before any executor acts
 */
export function parseProposedAction(raw: unknown, opts: ParseOptions = {}): ProposedAction {
  const o = requireObj(raw, 'proposed_action');
  if (o.type !== 'multi_step') return parseStep(o, 'proposed_action', opts);
  const steps = requireArray(o, 'steps', 'proposed_action');
  return { type: 'multi_step', steps: steps.map((s, i) => parseStep(s, `proposed_action.steps[${i}]`, opts)) };
}
