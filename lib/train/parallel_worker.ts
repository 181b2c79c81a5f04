// A data-parallel training worker: its own tfjs backend and copy of the model; per step it runs
// the forward pass on its slice, hands the features to the main thread, waits for their gradient,
// back-propagates it and hands back the parameter gradients. Weights come from the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../accel/backend.js';
import { createNetwork } from '../models/network.js';
import { ChunkedPass } from './chunked.js';
import { readParams } from './parallel_params.js';
import { signal, SLOT, waitFor, writeError, type WorkerInit } from './parallel_protocol.js';

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const ctrl = new Int32Array(init.ctrl);
  try {
    await initBackend(init.backend);
    const model = createNetwork(init.arch, init.fd, { seed: init.seed, inputShape: init.inputShape, logits: init.logits });
    model.train();
    const named = model.namedParameters();
    const vars = named.map(([, v]) => v);
    const byVar = new Map(named.map(([, v], i) => [v.name, i]));
    const offsets: number[] = [];
    let total = 0;
    for (const [, v] of named) {
      offsets.push(total);
      total += v.size;
    }
    const input = new Float32Array(init.input);
    const zBuf = new Float32Array(init.z);
    const dzBuf = new Float32Array(init.dz);
    const gBuf = new Float32Array(init.grads);
    const version = new Int32Array(init.paramsVersion);
    let haveVersion = -1;
    let seen = 0;
    parentPort!.postMessage('ready');
    for (;;) {
      while (Atomics.load(ctrl, SLOT.GO) === seen && Atomics.load(ctrl, SLOT.STOP) === 0) Atomics.wait(ctrl, SLOT.GO, seen, 1000);
      if (Atomics.load(ctrl, SLOT.STOP) !== 0) break;
      const step = Atomics.load(ctrl, SLOT.GO);
      seen = step;
      const v = Atomics.load(version, 0);
      if (v !== haveVersion) {
        readParams(init.params, named);
        haveVersion = v;
      }
      const rows = Atomics.load(ctrl, SLOT.ROWS);
      const shape: [number, number, number, number] = [
        rows,
        Atomics.load(ctrl, SLOT.H),
        Atomics.load(ctrl, SLOT.W),
        Atomics.load(ctrl, SLOT.C),
      ];
      const xs = input.subarray(0, rows * shape[1] * shape[2] * shape[3]);
      const p = model.featureDim;
      const exchange = (z: Float32Array): Float32Array => {
        zBuf.set(z);
        signal(ctrl, SLOT.Z, step);
        if (!waitFor(ctrl, SLOT.DZ, step, 600000) || Atomics.load(ctrl, SLOT.ERROR) !== 0) throw new Error('main thread stopped');
        return dzBuf.subarray(0, rows * p);
      };
      if (init.chunk > 0 && rows > init.chunk) {
        const pass = new ChunkedPass(model, xs, shape, init.chunk);
        for (const [k, g] of pass.gradients(exchange(pass.features()))) gBuf.set(g, offsets[byVar.get(k)!]);
      } else {
        const x = tf.tensor4d(xs, shape);
        const { value, grads } = tf.variableGrads(() => {
          const z = model.forward(x);
          const dz = exchange(z.dataSync() as Float32Array);
          return tf.sum(tf.mul(z, tf.tensor2d(dz, [rows, p])));
        }, vars);
        for (const [k, g] of Object.entries(grads)) gBuf.set(g.dataSync(), offsets[byVar.get(k)!]);
        tf.dispose([x, value, ...Object.values(grads)]);
      }
      signal(ctrl, SLOT.GRADS, step);
    }
  } catch (e) {
    writeError(init.error, ctrl, (e as Error).stack ?? String(e));
  }
}

void main();
