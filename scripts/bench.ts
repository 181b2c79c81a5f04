// `npm run bench`: training throughput and MCR² loss speed, printed as one JSON document.
// Where /usr/bin/python3 has torch (Debian python3-torch) the same work is timed in PyTorch in the
// same run (scripts/bench_torch.py) and `vs_pytorch` holds PyTorch's time divided by ours (above 1:
// we are faster); otherwise those ratios are null and `pytorch` says why.
//   node dist/scripts/bench.js [--quick] [--only cnn_small,resnet18,mcr2_loss,evaluators,anchors,webgpu] [--ensc-rows N]
// `webgpu` (where Dawn finds an adapter, a software one included and marked so): cnn-small at
// batch 100 on the webgpu backend, whichever backend the rest ran on. `anchors` (bench_anchors.ts,
// a few minutes): kNN, k-means, nearest subspace and the MCR² loss each timed alternately with
// PyTorch / scikit-learn, the four ratios in `anchors.ratios`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BackendInfo, initBackend } from '../lib/accel/backend.js';
import { probeAdapter } from '../lib/accel/webgpu.js';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { archDefaultChunk, archInputShape, createModel } from '../lib/models/index.js';
import { benchAnchors, lossForwardBackwardMs } from './bench_anchors.js';
import { benchEvaluators } from './bench_eval.js';
import { packageRoot } from '../lib/io/paths.js';
import { RandomState } from '../lib/math/random.js';
import { LocalEngine, type TrainingEngine } from '../lib/train/engine.js';
import { defaultWorkers, ParallelEngine } from '../lib/train/parallel.js';
import { SGD } from '../lib/train/sgd.js';

type Json = Record<string, unknown>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and CPU time (ms; the CPU time of every thread of this process) of MCR² training steps on random data. */
async function trainingStep(
  arch: string,
  bs: number,
  workers: number,
  backend: string,
  reps: number,
): Promise<{ ms: number; cpuMs: number }> {
  const shape = archInputShape(arch);
  const r = new RandomState(1);
  const x = Float32Array.from(r.random(bs * shape[0] * shape[1] * shape[2]));
  const y = r.randint(0, 10, bs);
  const model = createModel(arch, 128, { seed: 1 });
  const opt = new SGD(model.namedParameters(), { lr: 0.001, momentum: 0.9, weightDecay: 5e-4 });
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const chunk = archDefaultChunk(arch);
  const eng: TrainingEngine =
    workers > 0
      ? await ParallelEngine.create(model, opt, loss, { arch, fd: 128, seed: 1, inputShape: shape, backend, workers, maxBatch: bs, chunk })
      : new LocalEngine(model, opt, loss, chunk);
  const times: number[] = [];
  const cpu: number[] = [];
  try {
    // Warm up (JIT of the JS kernels, XNNPACK operator setup): 3 steps and 3 seconds, or one long step.
    const w0 = performance.now();
    for (let i = 0; (i < 3 && performance.now() - w0 < 20000) || performance.now() - w0 < 3000; i++) eng.step(x, [bs, ...shape], y, 10);
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      eng.step(x, [bs, ...shape], y, 10);
      const d = process.cpuUsage(c);
      times.push(performance.now() - t);
      cpu.push((d.user + d.system) / 1000);
    }
  } finally {
    await eng.dispose();
    opt.dispose();
    model.dispose();
  }
  return { ms: median(times), cpuMs: median(cpu) };
}

/** bench_torch.py's JSON for the parts in `only` (and batch size `bs` only, if given). */
function pytorch(only: Set<string> | undefined, quick: boolean, bs?: number): Json {
  const py = '/usr/bin/python3';
  const script = path.join(packageRoot(), 'scripts', 'bench_torch.py');
  if (!fs.existsSync(py)) return { available: false, why: `${py} not found` };
  const probe = spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return { available: false, why: 'python3 has no torch (Debian: apt-get install python3-torch)' };
  const args = [
    script,
    ...(quick ? ['--quick'] : []),
    ...(only ? ['--only', [...only].join(',')] : []),
    ...(bs !== undefined ? ['--bs', String(bs)] : []),
  ];
  const r = spawnSync(py, args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(os.cpus().length) },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return { available: false, why: `bench_torch.py failed: ${r.stderr.slice(-500)}` };
  return { available: true, ...JSON.parse(r.stdout) };
}

/**
 * Mean cnn-small MCR² step time (ms) at batch `bs` on the active (GPU) backend. A step returns once
 * its loss is read, with its backward pass and update still queued on the GPU: timed over `reps`
 * steps up to a read of the updated weights, not per step.
 */
function gpuTrainingStep(bs: number, reps: number): number {
  const shape = archInputShape('cnn-small');
  const r = new RandomState(1);
  const x = Float32Array.from(r.random(bs * shape[0] * shape[1] * shape[2]));
  const y = r.randint(0, 10, bs);
  const model = createModel('cnn-small', 128, { seed: 1 });
  const opt = new SGD(model.namedParameters(), { lr: 0.001, momentum: 0.9, weightDecay: 5e-4 });
  const eng = new LocalEngine(model, opt, new MaximalCodingRateReduction({ eps: 0.5 }), 0);
  const settle = () => model.parameters()[0].dataSync();
  try {
    // Warm-up: shader compilation.
    for (let i = 0; i < 2; i++) eng.step(x, [bs, ...shape], y, 10);
    settle();
    const t = performance.now();
    for (let i = 0; i < reps; i++) eng.step(x, [bs, ...shape], y, 10);
    settle();
    return (performance.now() - t) / reps;
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/** The webgpu backend's adapter and its cnn-small b100 training speed, or why there is none. */
async function webgpuBench(info: BackendInfo, reps: number): Promise<Json> {
  const a = await probeAdapter();
  if (typeof a === 'string') return { available: false, why: a };
  const out: Json = { available: true, adapter: a.description, software_adapter: a.software };
  if (a.software) out.note = 'a software adapter (the CPU through Vulkan, e.g. lavapipe): a correctness check, not a GPU speed';
  await initBackend('webgpu');
  let ms: number;
  try {
    // lavapipe takes seconds a step.
    ms = gpuTrainingStep(100, a.software ? 3 : reps * 4);
  } finally {
    await initBackend(info.name);
  }
  out.cnn_small_b100 = { step_ms: +ms.toFixed(1), images_per_s: +((100 / ms) * 1000).toFixed(1) };
  process.stderr.write(
    `webgpu (${a.description}${a.software ? ', software' : ''}) cnn_small b100: ${((100 / ms) * 1000).toFixed(1)} img/s\n`,
  );
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? new Set(args[oi + 1].split(',')) : undefined;
  const want = (k: string) => only === undefined || only.has(k);
  const reps = quick ? 2 : 5;
  const info = await initBackend();
  const workers = defaultWorkers(info.name);
  const out: Json = {
    // The load average at the start: on a shared machine, other processes' load skews wall times.
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      load_average: os.loadavg().map((l) => +l.toFixed(2)),
    },
    backend: info.name,
    provider: info.provider,
    workers,
    training: {} as Json,
    mcr2_loss: {} as Json,
  };
  const training = out.training as Json;
  // PyTorch times each training case right after ours, so that both see about the same load.
  const ptTraining: Json = {};
  let ptInfo: Json | undefined;
  const cases: Array<[string, string, number]> = [
    ['cnn_small', 'cnn-small', 100],
    ['cnn_small', 'cnn-small', 1000],
    ['resnet18', 'resnet18', 100],
    ['resnet18', 'resnet18', 1000],
  ];
  for (const [key, arch, bs] of cases) {
    if (!want(key)) continue;
    let known = true;
    try {
      archInputShape(arch);
    } catch {
      known = false;
    }
    if (!known) {
      training[`${key}_b${bs}`] = null;
      continue;
    }
    const entry: Json = {};
    const slow = arch !== 'cnn-small';
    // resnet18 at batch 1000 takes minutes a step: only the default thread count, one timed step.
    for (const w of workers > 0 ? (slow && bs >= 1000 ? [workers] : [0, workers]) : [0]) {
      const { ms, cpuMs } = await trainingStep(arch, bs, w, info.name, slow ? (bs >= 1000 ? 1 : 2) : bs >= 1000 ? reps : reps * 2);
      entry[w === 0 ? 'one_thread' : `${w + 1}_threads`] = {
        step_ms: +ms.toFixed(1),
        images_per_s: +((bs / ms) * 1000).toFixed(1),
        cpu_ms: +cpuMs.toFixed(1),
      };
    }
    const best = Math.max(...Object.values(entry).map((e) => (e as { images_per_s: number }).images_per_s));
    entry.images_per_s = best;
    training[`${key}_b${bs}`] = entry;
    process.stderr.write(`${key} b${bs}: ${best} img/s\n`);
    const p = pytorch(new Set([key]), quick, bs);
    if (ptInfo === undefined || p.available === true) ptInfo = p;
    Object.assign(ptTraining, (p.training ?? {}) as Json);
  }
  if (want('mcr2_loss')) {
    const ms = lossForwardBackwardMs(1000, 128, 10, reps * 2);
    out.mcr2_loss = { m: 1000, p: 128, k: 10, forward_backward_ms: +ms.toFixed(2) };
    process.stderr.write(`mcr2 loss: ${ms.toFixed(1)} ms\n`);
  }
  if (want('evaluators')) {
    // EnSC on 3,000 points by default (about a minute); --ensc-rows 10000 for the full size (minutes).
    const ei = args.indexOf('--ensc-rows');
    out.evaluators = await benchEvaluators({ quick, enscRows: ei >= 0 ? Number(args[ei + 1]) : quick ? 1000 : 3000 });
  }
  if (want('anchors')) out.anchors = await benchAnchors({ quick });
  if (want('webgpu')) out.webgpu = await webgpuBench(info, reps);
  const rest = only === undefined ? new Set(['mcr2_loss']) : new Set([...only].filter((k) => k === 'mcr2_loss'));
  const ptRest = rest.size > 0 ? pytorch(rest, quick) : undefined;
  const base = ptRest?.available === true ? ptRest : (ptInfo ?? ptRest ?? { available: false, why: 'nothing to compare' });
  const pt: Json = base.available === true ? { ...base, training: ptTraining } : base;
  out.pytorch = pt;
  const ratio = (ptMs: unknown, ourMs: unknown) =>
    typeof ptMs === 'number' && typeof ourMs === 'number' ? +(ptMs / ourMs).toFixed(3) : null;
  const ourStep = (k: string) => {
    const e = training[k] as Json | null | undefined;
    if (!e) return undefined;
    return (e.images_per_s as number) > 0 ? (Number(k.split('_b').pop()) / (e.images_per_s as number)) * 1000 : undefined;
  };
  const ptTrain = (pt.training ?? {}) as Record<string, { default_ms?: number; one_thread_cpu_ms?: number }>;
  const ourOneThreadCpu = (k: string) => ((training[k] as Json | null | undefined)?.one_thread as Json | undefined)?.cpu_ms;
  out.vs_pytorch = {
    cnn_small_b100: ratio(ptTrain.cnn_small_b100?.default_ms, ourStep('cnn_small_b100')),
    cnn_small_b1000: ratio(ptTrain.cnn_small_b1000?.default_ms, ourStep('cnn_small_b1000')),
    // One thread each, CPU time per step: the comparison least disturbed by a shared machine's load.
    cnn_small_b100_one_thread_cpu: ratio(ptTrain.cnn_small_b100?.one_thread_cpu_ms, ourOneThreadCpu('cnn_small_b100')),
    cnn_small_b1000_one_thread_cpu: ratio(ptTrain.cnn_small_b1000?.one_thread_cpu_ms, ourOneThreadCpu('cnn_small_b1000')),
    resnet18_b100: ratio(ptTrain.resnet18_b100?.default_ms, ourStep('resnet18_b100')),
    mcr2_loss: ratio((pt.mcr2_loss as Json | undefined)?.dense_ms, (out.mcr2_loss as Json).forward_backward_ms),
    mcr2_loss_classwise: ratio((pt.mcr2_loss as Json | undefined)?.classwise_ms, (out.mcr2_loss as Json).forward_backward_ms),
  };
  console.log(JSON.stringify(out, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
