/**
 * The test child's side of per-test coverage by probes (see probes.ts): the flags and the
 * touched list as globals, instrumentation of each source file as it compiles, the mapping of
 * V8 takes back to the original code, and the per-test window (cleared when a test begins —
 * before its `beforeEach` hooks — and read when it ends).
 */
import { instrumentProbes, mapFunctions, OffsetMap } from './probes';

/** Flag slots: probe ids above this are not instrumented (the file runs without probes). */
const CAPACITY = 1 << 22;

/** What the child sends about one instrumented file: its probes' blocks, flattened `[start, end, fn]`. */
export interface ProbeMessage {
  t: 'probes';
  file: string;
  base: number;
  blocks: number[];
}

export class ChildProbes {
  private readonly flags = new Uint8Array(CAPACITY);
  private readonly touched: number[] = [];
  private readonly maps = new Map<string, OffsetMap>();
  private next = 0;

  constructor(private readonly send: (m: ProbeMessage) => void) {
    const g = globalThis as Record<string, unknown>;
    const { flags, touched } = this;
    g.__gcf = flags;
    g.__gcv = (id: number) => {
      flags[id] = 1;
      touched.push(id);
    };
  }

  /** The code to compile for a source file: instrumented, or as it is when it cannot be. */
  instrument(file: string, code: string): string {
    const out = instrumentProbes(code, this.next);
    if (!out || this.next + out.blocks.length > CAPACITY) return code;
    this.maps.set(file, new OffsetMap(out.inserts));
    this.send({ t: 'probes', file, base: this.next, blocks: out.blocks.flatMap((b) => [b.start, b.end, b.fn ? 1 : 0]) });
    this.next += out.blocks.length;
    return out.code;
  }

  /** V8 ranges of a script mapped back to its original code (unchanged for other scripts). */
  map<F extends { ranges: Array<{ startOffset: number; endOffset: number; count: number }> }>(file: string, fns: F[]): F[] {
    const m = this.maps.get(file);
    return m ? mapFunctions(m, fns) : fns;
  }

  /** A test begins: forget what ran before it (module loading, `before` hooks, the previous test's `afterEach`). */
  begin(): void {
    this.end();
  }

  /** A test ended: the probe ids it touched (each once); the window is cleared. */
  end(): number[] {
    const ids = this.touched.slice();
    for (const id of this.touched) this.flags[id] = 0;
    this.touched.length = 0;
    return ids;
  }
}
