// Data-parallel training over worker threads, for backends that use one core (wasm, cpu).
//
// tfjs-backend-wasm runs single-threaded in Node (its threaded build is disabled there), so one
// process uses one core. Here each step's batch is split: this thread and each worker run the
// forward pass on a slice; MCR² needs the whole batch's features, so the workers hand their
// features (m x p floats) to this thread, which evaluates the loss once on the whole batch and hands
// back each slice's ∂loss/∂features; every thread back-propagates its slice, the parameter
// gradients are summed here and the SGD step is taken here; workers read the new weights before
// their next slice. Batch-norm statistics are per slice, as with torch.nn.DataParallel (which the
// official code uses); running statistics are this thread's.
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../models/network.js';
import { workerScript } from '../io/paths.js';
import { availableCores } from '../accel/threads.js';
import type { LossTerms } from '../loss/terms.js';
import { type BatchShape, LocalEngine, type TrainingEngine, type TrainingLoss } from './engine.js';
import type { TrainingPlan } from './plan.js';
import { ChunkedPass } from './chunked.js';
import { writeParams } from './parallel_params.js';
import { CTRL_SLOTS, ERROR_BYTES, readError, signal, SLOT, waitFor, type WorkerInit } from './parallel_protocol.js';
import type { SGD } from './sgd.js';

const STEP_TIMEOUT_MS = 30 * 60 * 1000;

interface WorkerHandle {
  worker: Worker;
  ctrl: Int32Array;
  input: Float32Array;
  z: Float32Array;
  dz: Float32Array;
  grads: Float32Array;
  error: SharedArrayBuffer;
}

/** Worker threads to use by default: one per core beyond this one (MCR2_WORKERS overrides). */
export function defaultWorkers(backend: string): number {
  const env = process.env.MCR2_WORKERS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0) throw new Error(`MCR2_WORKERS=${env}: expected an integer ≥ 0`);
    return n;
  }
  if (backend === 'tensorflow') return 0; // libtensorflow already uses every core
  if (backend === 'webgpu') return 0; // one GPU device, fed from this thread
  return Math.max(0, availableCores() - 1);
}

export interface ParallelOptions {
  arch: string;
  fd: number;
  seed: number;
  inputShape: [number, number, number];
  /** Build the cross-entropy classifier with this many classes (see models/network.ts). */
  logits?: number;
  backend: string;
  workers: number;
  /** Largest batch a step will get. */
  maxBatch: number;
  /** Rows per forward/backward chunk within each thread's slice (0 or absent: the whole slice). */
  chunk?: number;
}

export class ParallelEngine implements TrainingEngine {
  private step_ = 0;
  private readonly named: Array<[string, tf.Variable]>;
  private readonly paramsBuf: SharedArrayBuffer;
  private readonly version: Int32Array;
  private readonly offsets = new Map<string, number>();

  private constructor(
    private readonly model: Network,
    private readonly optim: SGD,
    private readonly loss: TrainingLoss,
    private readonly handles: WorkerHandle[],
    private readonly opts: ParallelOptions,
    paramsBuf: SharedArrayBuffer,
    version: SharedArrayBuffer,
  ) {
    this.named = model.namedParameters();
    let off = 0;
    for (const [n, v] of this.named) {
      this.offsets.set(n, off);
      off += v.size;
    }
    this.paramsBuf = paramsBuf;
    this.version = new Int32Array(version);
    this.syncParams();
  }

  get workers(): number {
    return this.handles.length;
  }

  static async create(model: Network, optim: SGD, loss: TrainingLoss, o: ParallelOptions): Promise<ParallelEngine> {
    const nParams = model.namedParameters().reduce((a, [, v]) => a + v.size, 0);
    const sliceRows = Math.ceil(o.maxBatch / (o.workers + 1));
    const [h, w, c] = o.inputShape;
    const params = new SharedArrayBuffer(nParams * 4);
    const version = new SharedArrayBuffer(4);
    const handles: WorkerHandle[] = [];
    try {
      for (let i = 0; i < o.workers; i++) {
        const init: WorkerInit = {
          arch: o.arch,
          fd: o.fd,
          seed: o.seed,
          inputShape: o.inputShape,
          logits: o.logits,
          chunk: o.chunk ?? 0,
          backend: o.backend,
          ctrl: new SharedArrayBuffer(CTRL_SLOTS * 4),
          input: new SharedArrayBuffer(sliceRows * h * w * c * 4),
          z: new SharedArrayBuffer(sliceRows * model.featureDim * 4),
          dz: new SharedArrayBuffer(sliceRows * model.featureDim * 4),
          grads: new SharedArrayBuffer(nParams * 4),
          params,
          paramsVersion: version,
          error: new SharedArrayBuffer(ERROR_BYTES),
        };
        const script = workerScript(__dirname, 'parallel_worker');
        if (script === undefined) throw new Error('training workers need the built package (npm run build); or set --workers 0');
        const worker = new Worker(script, { workerData: init });
        handles.push({
          worker,
          ctrl: new Int32Array(init.ctrl),
          input: new Float32Array(init.input),
          z: new Float32Array(init.z),
          dz: new Float32Array(init.dz),
          grads: new Float32Array(init.grads),
          error: init.error,
        });
        await new Promise<void>((resolve, reject) => {
          const fail = (e: unknown) =>
            reject(new Error(`training worker ${i} failed to start: ${e instanceof Error ? e.message : String(e)}`));
          worker.once('message', () => resolve());
          worker.once('error', fail);
          worker.once('exit', (code) => {
            const msg = readError(init.error);
            fail(msg || `exited with code ${code}`);
          });
        });
        worker.removeAllListeners('exit');
        worker.removeAllListeners('error');
        worker.on('error', () => {});
        worker.unref();
      }
    } catch (e) {
      for (const hd of handles) await hd.worker.terminate();
      throw e;
    }
    return new ParallelEngine(model, optim, loss, handles, o, params, version);
  }

  private check(h: WorkerHandle, ok: boolean, what: string): void {
    if (Atomics.load(h.ctrl, SLOT.ERROR) !== 0) throw new Error(`training worker failed: ${readError(h.error)}`);
    if (!ok) throw new Error(`training worker did not answer (${what}) within ${STEP_TIMEOUT_MS / 60000} minutes`);
  }

  step(x: Float32Array, shape: BatchShape, y: Int32Array, numClasses: number): LossTerms {
    const [n, h, w, c] = shape;
    const [eh, ew, ec] = this.opts.inputShape;
    if (h !== eh || w !== ew || c !== ec) throw new Error(`images are ${h}x${w}x${c} but the workers were set up for ${eh}x${ew}x${ec}`);
    if (n > this.opts.maxBatch) throw new Error(`batch of ${n} is larger than the ${this.opts.maxBatch} the workers were set up for`);
    const parts = this.handles.length + 1;
    const per = Math.ceil(n / parts);
    const rows = (i: number) => Math.max(0, Math.min(per, n - i * per));
    if (rows(parts - 1) < 2) throw new Error(`batch of ${n} is too small to split over ${parts} threads (set MCR2_WORKERS lower)`);
    const s = ++this.step_;
    const size = h * w * c;
    this.handles.forEach((hd, i) => {
      const r = rows(i + 1);
      hd.input.set(x.subarray((i + 1) * per * size, ((i + 1) * per + r) * size));
      Atomics.store(hd.ctrl, SLOT.ROWS, r);
      Atomics.store(hd.ctrl, SLOT.H, h);
      Atomics.store(hd.ctrl, SLOT.W, w);
      Atomics.store(hd.ctrl, SLOT.C, c);
      signal(hd.ctrl, SLOT.GO, s);
    });
    const p = this.model.featureDim;
    const r0 = rows(0);
    let out: LossTerms | undefined;
    // Gathers the whole batch's features, evaluates the loss once, hands each slice its gradient;
    // returns this thread's slice of ∂loss/∂features.
    const exchange = (z0: Float32Array): Float32Array => {
      const all = new Float32Array(n * p);
      all.set(z0);
      this.handles.forEach((hd, i) => {
        this.check(hd, waitFor(hd.ctrl, SLOT.Z, s, STEP_TIMEOUT_MS), 'features');
        all.set(hd.z.subarray(0, rows(i + 1) * p), (i + 1) * per * p);
      });
      const zAll = tf.tensor2d(all, [n, p]);
      const ev = this.loss.evaluate(zAll, y, numClasses);
      const g = ev.gradient();
      const dAll = g.dataSync() as Float32Array;
      tf.dispose([zAll, g]);
      this.handles.forEach((hd, i) => {
        hd.dz.set(dAll.subarray((i + 1) * per * p, ((i + 1) * per + rows(i + 1)) * p));
        signal(hd.ctrl, SLOT.DZ, s);
      });
      out = ev.terms;
      return dAll.subarray(0, r0 * p);
    };
    const mine = new Map<string, Float32Array>(); // by tfjs variable name
    const xs = x.subarray(0, r0 * size);
    if (this.opts.chunk !== undefined && this.opts.chunk > 0 && r0 > this.opts.chunk) {
      const pass = new ChunkedPass(this.model, xs, [r0, h, w, c], this.opts.chunk);
      for (const [k, v] of pass.gradients(exchange(pass.features()))) mine.set(k, v);
    } else {
      const x0 = tf.tensor4d(xs, [r0, h, w, c]);
      const { value, grads } = tf.variableGrads(() => {
        const z0 = this.model.forward(x0);
        const d0 = exchange(z0.dataSync() as Float32Array);
        return tf.sum(tf.mul(z0, tf.tensor2d(d0, [r0, p])));
      }, this.model.parameters());
      for (const [k, g] of Object.entries(grads)) mine.set(k, g.dataSync() as Float32Array);
      tf.dispose([x0, value, ...Object.values(grads)]);
    }
    for (const hd of this.handles) this.check(hd, waitFor(hd.ctrl, SLOT.GRADS, s, STEP_TIMEOUT_MS), 'gradients');
    const summed = new Map<string, tf.Tensor>();
    for (const [name, v] of this.named) {
      const off = this.offsets.get(name)!;
      const own = mine.get(v.name);
      if (own === undefined) continue;
      const acc = Float32Array.from(own);
      for (const hd of this.handles) {
        const g = hd.grads.subarray(off, off + v.size);
        for (let i = 0; i < acc.length; i++) acc[i] += g[i];
      }
      summed.set(name, tf.tensor(acc, v.shape));
    }
    this.optim.step(summed);
    tf.dispose([...summed.values()]);
    this.syncParams();
    return out!;
  }

  syncParams(): void {
    writeParams(this.paramsBuf, this.named);
    Atomics.add(this.version, 0, 1);
  }

  async dispose(): Promise<void> {
    for (const hd of this.handles) signal(hd.ctrl, SLOT.STOP, 1);
    await Promise.all(this.handles.map((hd) => hd.worker.terminate()));
  }
}

/**
 * The engine of a plan: data-parallel workers where they help (`workers`, else defaultWorkers;
 * at most half the batch's rows), else this thread alone; logs the model and how steps are split.
 */
export async function createEngine(plan: TrainingPlan, optim: SGD, backend: string, log: (line: string) => void): Promise<TrainingEngine> {
  const p = plan;
  const workers = Math.min(p.workers >= 0 ? p.workers : defaultWorkers(backend), Math.max(0, Math.floor(p.batchSize / 2) - 1));
  const engine =
    workers > 0
      ? await ParallelEngine.create(p.model, optim, p.loss, { ...p.build, backend, workers, maxBatch: p.batchSize, chunk: p.chunk })
      : new LocalEngine(p.model, optim, p.loss, p.chunk);
  log(
    `model: ${p.build.arch} (fd ${p.build.fd}), ${p.model.numParameters().toLocaleString('en-US')} trainable parameters; ` +
      `${p.stepsPerEpoch} steps/epoch of ${p.batchSize}${workers > 0 ? `, split over ${workers + 1} threads` : ''}` +
      `${p.chunk > 0 && p.batchSize / (workers + 1) > p.chunk ? `, in chunks of ${p.chunk}` : ''}`,
  );
  return engine;
}
