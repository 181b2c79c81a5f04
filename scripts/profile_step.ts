// Where one training step's time goes: kernel time by kernel (tf.profile) and the wall time of a
// step, on random data, in this thread (LocalEngine).
//   node dist/scripts/profile_step.js [--arch cnn-small] [--batch 100] [--steps 5] [--warmup 5] [--top 12] [--no-profile]
//     [--workers N]  (N > 0: ParallelEngine with N worker threads; the kernel profile is this thread's)
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/accel/backend.js';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { RandomState } from '../lib/math/random.js';
import { archDefaultChunk, archInputShape, createModel } from '../lib/models/index.js';
import { LocalEngine, type TrainingEngine } from '../lib/train/engine.js';
import { ParallelEngine } from '../lib/train/parallel.js';
import { SGD } from '../lib/train/sgd.js';

function flag(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arch = flag(args, '--arch', 'cnn-small');
  const bs = Number(flag(args, '--batch', '100'));
  const steps = Number(flag(args, '--steps', '5'));
  const warmup = Number(flag(args, '--warmup', '5'));
  const top = Number(flag(args, '--top', '12'));
  const info = await initBackend();
  const shape = archInputShape(arch);
  const r = new RandomState(1);
  const x = Float32Array.from(r.random(bs * shape[0] * shape[1] * shape[2]));
  const y = r.randint(0, 10, bs);
  const model = createModel(arch, 128, { seed: 1 });
  const opt = new SGD(model.namedParameters(), { lr: 0.001, momentum: 0.9, weightDecay: 5e-4 });
  const workers = Number(flag(args, '--workers', '0'));
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const chunk = archDefaultChunk(arch);
  const eng: TrainingEngine =
    workers > 0
      ? await ParallelEngine.create(model, opt, loss, {
          arch,
          fd: 128,
          seed: 1,
          inputShape: shape,
          backend: info.name,
          workers,
          maxBatch: bs,
          chunk,
        })
      : new LocalEngine(model, opt, loss, chunk);
  const step = () => eng.step(x, [bs, ...shape], y, 10);
  for (let i = 0; i < warmup; i++) step();
  // Wall time and this process's CPU time (less disturbed by other processes on a shared machine).
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    step();
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    wall.push(performance.now() - t);
  }
  const med = (xs: number[]) => +[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
  const out: Record<string, unknown> = {
    backend: info.name,
    arch,
    batch: bs,
    workers,
    step_ms_median: med(wall),
    step_cpu_ms_median: med(cpu),
  };
  if (!args.includes('--no-profile')) {
    const byName = new Map<string, number>();
    const single = new Map<string, number>();
    const t0 = performance.now();
    const prof = await tf.profile(() => {
      for (let i = 0; i < steps; i++) step();
    });
    out.profiled_step_ms = +((performance.now() - t0) / steps).toFixed(1);
    let total = 0;
    for (const k of prof.kernels) {
      const ms = (k.kernelTimeMs as number) / steps;
      total += ms;
      byName.set(k.name, (byName.get(k.name) ?? 0) + ms);
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      single.set(key, (single.get(key) ?? 0) + ms);
    }
    const sorted = (m: Map<string, number>) =>
      Object.fromEntries(
        [...m.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, top)
          .map(([k, v]) => [k, +v.toFixed(1)]),
      );
    out.kernel_ms_per_step = +total.toFixed(1);
    out.by_kernel = sorted(byName);
    out.largest = sorted(single);
  }
  console.log(JSON.stringify(out, null, 2));
  await eng.dispose();
  opt.dispose();
  model.dispose();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
