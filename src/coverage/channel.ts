/**
 * The child's event channel to the parent (runner.ts), used by child.ts.
 *
 * A run of 10 000 tests streams ~20 000 events. Sent one by one with `process.send`, each is a
 * JSON serialisation and a write on the IPC pipe in the test thread — measured at ~550 ms of
 * the child's CPU on the generated 200 × 50 suite, the largest single cost of the engine over
 * bare mocha; posting each to a worker (`postMessage`) cost about as much (~430 ms: a structured
 * clone and a wake-up per message). So the test thread appends each message as one JSON line to
 * a ring buffer in shared memory (no system call), and a worker thread polls it every 2 ms and
 * writes what it finds to a dedicated pipe (`fd`) in one write. Events still stream as they
 * happen, and because the worker runs on its own, a message written just before a test blocks
 * the test thread (a synchronous endless loop) still reaches the parent — a batching timer in
 * the test thread would never fire then, and the editor could not show (or cancel) that test.
 *
 * Wire format, parsed by {@link lineReader}: one JSON message per line.
 */
import * as fs from 'fs';
import { Worker } from 'worker_threads';

/** A channel of messages from the child to the parent. */
export interface Channel<T> {
  send(message: T): void;
  /** Block until everything sent so far is in the pipe (or the worker is gone). */
  flush(): void;
}

/** Header slots (Int32) of the shared buffer. */
const WRITE = 0;
const READ = 1;
const FLUSH_REQ = 2;
const FLUSH_ACK = 3;
const HEADER = 16;
const CAPACITY = 4 * 1024 * 1024;
/** How long the test thread waits for the worker before it gives up on it. */
const GIVE_UP_MS = 10_000;

const WORKER = `
const { workerData } = require('worker_threads');
const fs = require('fs');
const h = new Int32Array(workerData.sab, 0, 4);
const data = Buffer.from(workerData.sab, ${HEADER});
const cap = data.length;
const writeAll = (buf) => {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(workerData.fd, buf, off);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
};
for (;;) {
  const w = Atomics.load(h, ${WRITE});
  const r = Atomics.load(h, ${READ});
  if (w !== r) {
    const end = w > r ? w : cap;
    writeAll(data.subarray(r, end));
    Atomics.store(h, ${READ}, end % cap);
    Atomics.notify(h, ${READ});
    continue;
  }
  const req = Atomics.load(h, ${FLUSH_REQ});
  if (req !== Atomics.load(h, ${FLUSH_ACK})) {
    Atomics.store(h, ${FLUSH_ACK}, req);
    Atomics.notify(h, ${FLUSH_ACK});
    continue;
  }
  Atomics.wait(h, ${WRITE}, w, 2);
}
`;

/**
 * A channel writing to `fd` through a worker thread; `fallback` (e.g. `process.send`) when no
 * fd was given or the worker cannot keep up for {@link GIVE_UP_MS} (it died).
 */
export function openChannel<T>(fd: number | undefined, fallback: (m: T) => void): Channel<T> {
  let worker: Worker | undefined;
  let h: Int32Array<ArrayBufferLike> = new Int32Array(4);
  let data: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  if (fd !== undefined) {
    try {
      fs.fstatSync(fd); // throws when the parent gave no such pipe
      const sab = new SharedArrayBuffer(HEADER + CAPACITY);
      h = new Int32Array(sab, 0, 4);
      data = new Uint8Array(sab, HEADER);
      worker = new Worker(WORKER, { eval: true, workerData: { fd, sab } });
      worker.unref();
      worker.on('error', () => {
        worker = undefined;
      });
    } catch {
      worker = undefined;
    }
  }
  const write = (bytes: Uint8Array): boolean => {
    let off = 0;
    let stalled = 0;
    while (off < bytes.length) {
      const w = Atomics.load(h, WRITE);
      const r = Atomics.load(h, READ);
      const free = (r - w - 1 + CAPACITY) % CAPACITY;
      if (free === 0) {
        const t0 = Date.now();
        Atomics.wait(h, READ, r, 50);
        stalled += Date.now() - t0;
        if (stalled > GIVE_UP_MS) return false;
        continue;
      }
      const n = Math.min(free, bytes.length - off, CAPACITY - w);
      data.set(bytes.subarray(off, off + n), w);
      Atomics.store(h, WRITE, (w + n) % CAPACITY);
      off += n;
    }
    return true;
  };
  const encoder = new TextEncoder();
  /** The common case: encode straight into the ring when the line surely fits before its end. */
  const writeText = (text: string): boolean => {
    const w = Atomics.load(h, WRITE);
    const r = Atomics.load(h, READ);
    const limit = r > w ? r - 1 : r === 0 ? CAPACITY - 1 : CAPACITY; // keep one byte free
    if (limit - w < text.length * 3) return false; // UTF-8: at most 3 bytes per UTF-16 unit
    const { read, written } = encoder.encodeInto(text, data.subarray(w, limit));
    if (read !== text.length) return false;
    Atomics.store(h, WRITE, (w + written) % CAPACITY);
    return true;
  };
  return {
    send(message) {
      if (worker) {
        const text = JSON.stringify(message) + '\n';
        if (writeText(text) || write(Buffer.from(text, 'utf8'))) return;
      }
      worker = undefined;
      fallback(message);
    },
    flush() {
      if (!worker) return;
      const req = Atomics.add(h, FLUSH_REQ, 1) + 1;
      Atomics.notify(h, WRITE);
      const deadline = Date.now() + GIVE_UP_MS;
      while (Atomics.load(h, FLUSH_ACK) !== req && Date.now() < deadline) Atomics.wait(h, FLUSH_ACK, Atomics.load(h, FLUSH_ACK), 50);
    },
  };
}

/**
 * Splits a stream of newline-separated JSON messages into messages, in order. A line that is not
 * JSON goes to `onMalformed` (default: ignored) and the lines after it are still read.
 */
export function lineReader<T>(
  onMessage: (m: T) => void,
  onMalformed: (line: string, err: Error) => void = () => undefined,
): { push(chunk: string): void; end(): void } {
  let buffer = '';
  const parse = (line: string) => {
    if (!line) return;
    let message: T;
    try {
      message = JSON.parse(line) as T;
    } catch (err) {
      onMalformed(line, err as Error);
      return;
    }
    onMessage(message);
  };
  return {
    push(chunk) {
      buffer += chunk;
      let nl: number;
      let from = 0;
      while ((nl = buffer.indexOf('\n', from)) >= 0) {
        const line = buffer.slice(from, nl);
        from = nl + 1;
        parse(line);
      }
      buffer = buffer.slice(from);
    },
    end() {
      const line = buffer;
      buffer = '';
      parse(line);
    },
  };
}
