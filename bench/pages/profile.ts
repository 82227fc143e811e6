/**
 * Page-side profiling for the benchmarks, without touching src/: wraps (and later restores)
 * prototype methods that every model instance shares:
 *  - onnxruntime-web's InferenceSession.run (the ONNX compute, WASM kernels),
 *  - transformers.js PreTrainedModel.forward (its wrapper around run: input checks, tensor
 *    wrapping, cache handling),
 *  - optionally methods of our own engine classes (text streaming, candidate selection).
 * Times are unions of intervals per probe, so concurrently awaited calls (several LMs stepped
 * with Promise.all) are not double counted.
 */

export interface ProbeTotals {
  [probe: string]: { ms: number; calls: number };
}

class Probe {
  ms = 0;
  calls = 0;
  private active = 0;
  private since = 0;
  enter(): void {
    this.calls++;
    if (this.active++ === 0) this.since = performance.now();
  }
  exit(): void {
    if (--this.active === 0) this.ms += performance.now() - this.since;
  }
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

export class Profiler {
  private readonly probes = new Map<string, Probe>();
  private readonly restore: (() => void)[] = [];

  /** Wraps `owner[method]` (a prototype) so that every call is timed under `name`. */
  wrap(name: string, owner: object, method: string): void {
    const target = owner as Record<string, AnyFn>;
    const original = target[method];
    if (typeof original !== 'function') throw new Error(`profile: ${name}: ${method} is not a function`);
    const probe = this.probe(name);
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      probe.enter();
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (e) {
        probe.exit();
        throw e;
      }
      if (result instanceof Promise) {
        return result.finally(() => probe.exit());
      }
      probe.exit();
      return result;
    };
    const had = Object.prototype.hasOwnProperty.call(target, method);
    target[method] = wrapped;
    this.restore.push(() => {
      if (had) target[method] = original;
      else delete target[method];
    });
  }

  /** Clears the counters (keeps the wrappers). */
  reset(): void {
    for (const p of this.probes.values()) {
      p.ms = 0;
      p.calls = 0;
    }
  }

  totals(): ProbeTotals {
    const out: ProbeTotals = {};
    for (const [k, p] of this.probes) out[k] = { ms: p.ms, calls: p.calls };
    return out;
  }

  uninstall(): void {
    while (this.restore.length > 0) this.restore.pop()!();
  }

  private probe(name: string): Probe {
    let p = this.probes.get(name);
    if (!p) this.probes.set(name, (p = new Probe()));
    return p;
  }
}

/** Adds `more` into `into` (per-probe ms and calls). */
export function addTotals(into: ProbeTotals, more: ProbeTotals): void {
  for (const [k, v] of Object.entries(more)) {
    const t = (into[k] ??= { ms: 0, calls: 0 });
    t.ms += v.ms;
    t.calls += v.calls;
  }
}

/** The object in `obj`'s prototype chain that defines `method` itself. */
export function ownerOf(obj: object, method: string): object {
  let o: object | null = obj;
  while (o && !Object.prototype.hasOwnProperty.call(o, method)) o = Object.getPrototypeOf(o) as object | null;
  if (!o) throw new Error(`profile: no ${method} in the prototype chain`);
  return o;
}

/** Logs a progress line that the Node side echoes. */
export function say(text: string): void {
  console.log(`[bench] ${text}`);
}
