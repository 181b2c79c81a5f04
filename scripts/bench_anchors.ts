// The four speed anchors of the evaluators and the loss, each timed side by side with its Python
// reference in one run: ours and theirs alternate (which goes first swaps every repeat), so both
// see about the same load on a shared machine, and each ratio is the reference's median time over
// ours (above 1: we are faster).
//   knn       KNN({ k: 10 }) fit + predict, 10,000 test vs 50,000 train x 128, against PyTorch's
//             torch.topk (the official F_train F_testᵀ form and the per-row form; the faster counts)
//   kmeans    KMeans({ nClusters: 10, nInit: 10, randomState: 10 }) on the 50,000 train rows,
//             against scikit-learn KMeans(n_clusters=10, n_init=10, random_state=10)
//   nearsub   NearestSubspace({ nComp: 15 }) fit + predictBoth against evaluate.py's nearest
//             subspace (scikit-learn PCA(15) and TruncatedSVD(15) per class, numpy residuals)
//   mcr2_loss the MCR² loss forward + backward at m = 1000, p = 128, k = 10 (eps 0.5) against
//             PyTorch's class-wise formulation (Z_jᵀZ_j per class, torch.logdet, autograd), at
//             PyTorch's default thread count (the ratio) and at one thread (reported too)
// The data: bench_eval.ts's synthetic MCR²-like features; the loss: numpy RandomState(0) features.
// Python: /usr/bin/python3 scripts/bench_anchors.py with OMP_NUM_THREADS = the cores, and without
// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (which would hold numpy's BLAS to a slower kernel).
//   node dist/scripts/bench_anchors.js [--quick]
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/accel/backend.js';
import { accuracy, KMeans, KNN, NearestSubspace } from '../lib/evaluate/index.js';
import { writeNpz } from '../lib/io/npz.js';
import { packageRoot } from '../lib/io/paths.js';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { RandomState } from '../lib/math/random.js';
import { syntheticFeatures } from './bench_eval.js';

type Json = Record<string, unknown>;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (v: number) => +v.toFixed(3);

/** The MCR² loss's bench input: rows of RandomState(0).randn(m, p) normalised, then randint(0, k, m). */
export function lossInput(m: number, p: number, k: number): { z: Float32Array; y: Int32Array } {
  const r = new RandomState(0);
  const g = r.randn(m * p);
  const z = new Float32Array(m * p);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += g[i * p + j] ** 2;
    for (let j = 0; j < p; j++) z[i * p + j] = g[i * p + j] / Math.sqrt(s);
  }
  return { z, y: r.randint(0, k, m) };
}

/**
 * Median wall and CPU ms of `calls` MCR² forward + backward passes (tf.valueAndGrad through
 * loss.forward), after 2 unmeasured.
 */
export function lossForwardBackward(m: number, p: number, k: number, calls: number): { ms: number; cpuMs: number } {
  const { z, y } = lossInput(m, p, k);
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const zt = tf.tensor2d(z, [m, p]);
  const times: number[] = [];
  const cpu: number[] = [];
  try {
    for (let i = 0; i < calls + 2; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      const { value, grad } = tf.valueAndGrad((zz: tf.Tensor) => loss.forward(zz, y, k).value)(zt);
      grad.dataSync();
      tf.dispose([value, grad]);
      const d = process.cpuUsage(c);
      if (i >= 2) {
        times.push(performance.now() - t);
        cpu.push((d.user + d.system) / 1000);
      }
    }
  } finally {
    zt.dispose();
  }
  return { ms: median(times), cpuMs: median(cpu) };
}

/** Median ms of `calls` MCR² forward + backward passes. */
export function lossForwardBackwardMs(m: number, p: number, k: number, calls: number): number {
  return lossForwardBackward(m, p, k, calls).ms;
}

/** bench_anchors.py as a server: one command a line in, one JSON line out. */
class PythonSide {
  private readonly lines: string[] = [];
  private waiting: ((l: string) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.on('exit', (code) => this.failed?.(new Error(`bench_anchors.py exited (${code})`)));
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(l);
      } else this.lines.push(l);
    });
  }

  static start(npz: string): PythonSide | string {
    const py = '/usr/bin/python3';
    if (!fs.existsSync(py)) return `${py} not found`;
    const probe = spawnSync(py, ['-c', 'import torch, sklearn'], { encoding: 'utf8' });
    if (probe.status !== 0) return 'python3 lacks torch or scikit-learn (Debian: apt-get install python3-torch python3-sklearn)';
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(os.cpus().length) };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const child = spawn(py, [path.join(packageRoot(), 'scripts', 'bench_anchors.py'), npz], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (d) => process.stderr.write(`bench_anchors.py: ${d}`));
    return new PythonSide(child);
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
    });
  }

  async hello(): Promise<Json> {
    return JSON.parse(await this.next());
  }

  async run(cmd: string): Promise<Json> {
    this.child.stdin.write(`${cmd}\n`);
    const out = JSON.parse(await this.next()) as Json;
    if (out.error) throw new Error(`bench_anchors.py: ${out.error}`);
    return out;
  }

  close(): void {
    this.child.stdin.end();
  }
}

async function seconds<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const out = await f();
  return [out, (performance.now() - t) / 1000];
}

export async function benchAnchors(opts: { quick: boolean }): Promise<Json> {
  const reps = opts.quick ? 2 : 3;
  const info = await initBackend();
  const log = (s: string) => process.stderr.write(`anchors: ${s}\n`);
  const train = syntheticFeatures(50000, 1);
  const test = syntheticFeatures(10000, 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-bench-anchors-'));
  const npz = path.join(dir, 'data.npz');
  writeNpz(npz, {
    train_x: { data: train.x, shape: [50000, 128] },
    train_y: { data: train.y },
    test_x: { data: test.x, shape: [10000, 128] },
    test_y: { data: test.y },
  });
  const py = PythonSide.start(npz);
  const out: Json = {
    backend: info.name,
    load_average_start: os.loadavg().map((l) => +l.toFixed(2)),
    reps,
  };
  if (typeof py === 'string') {
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...out, available: false, why: py };
  }
  try {
    out.python = await py.hello();
    // Warm-ups (JIT, the kernels' first compilation, torch's first calls): not timed.
    await new KNN({ k: 10 }).fit(train.x, train.y).predict(test.x.subarray(0, 500 * 128));
    await new KMeans({ nClusters: 10, nInit: 1, maxIter: 3 }).fit(train.x.subarray(0, 5000 * 128), 128);
    new NearestSubspace({ nComp: 15 }).fit(train.x, train.y).predictBoth(test.x);
    lossForwardBackwardMs(1000, 128, 10, 3);
    await py.run('loss 3');

    /** reps rounds of ours and theirs, alternating which goes first. */
    const sideBySide = async (n: number, ours: () => Promise<number>, theirs: () => Promise<number>) => {
      const a: number[] = [];
      const b: number[] = [];
      for (let r = 0; r < n; r++) {
        if (r % 2 === 0) {
          a.push(await ours());
          b.push(await theirs());
        } else {
          b.push(await theirs());
          a.push(await ours());
        }
      }
      return { ours: a, theirs: b };
    };

    let knnAcc = 0;
    const knnPy: Json[] = [];
    const knn = await sideBySide(
      reps,
      async () => {
        const [pred, s] = await seconds(() => new KNN({ k: 10 }).fit(train.x, train.y).predict(test.x));
        knnAcc = accuracy(pred, test.y);
        return s;
      },
      async () => {
        const r = await py.run('knn');
        knnPy.push(r);
        return Math.min(r.official_s as number, r.rows_s as number);
      },
    );
    out.knn = {
      what: 'k = 10 cosine, 10,000 test vs 50,000 train x 128, fit + predict',
      ours_s: knn.ours.map(r3),
      pytorch_topk_s: knn.theirs.map(r3),
      pytorch_official_form_s: knnPy.map((r) => r3(r.official_s as number)),
      pytorch_per_row_form_s: knnPy.map((r) => r3(r.rows_s as number)),
      ours_acc: knnAcc,
      pytorch_acc: knnPy[0]?.acc,
      ratio: r3(median(knn.theirs) / median(knn.ours)),
    };
    log(`knn ${JSON.stringify(out.knn)}`);

    let km: KMeans | undefined;
    const kmPy: Json[] = [];
    const kmeans = await sideBySide(
      reps,
      async () => {
        const [k, s] = await seconds(() => new KMeans({ nClusters: 10, nInit: 10, randomState: 10 }).fit(train.x, 128));
        km = k;
        return s;
      },
      async () => {
        const r = await py.run('kmeans');
        kmPy.push(r);
        return r.s as number;
      },
    );
    out.kmeans = {
      what: 'KMeans(n_clusters=10, n_init=10, random_state=10) on 50,000 x 128',
      ours_s: kmeans.ours.map(r3),
      sklearn_s: kmeans.theirs.map(r3),
      ours_inertia: km?.inertia,
      sklearn_inertia: kmPy[0]?.inertia,
      ours_n_iter: km?.nIter,
      sklearn_n_iter: kmPy[0]?.n_iter,
      ratio: r3(median(kmeans.theirs) / median(kmeans.ours)),
    };
    log(`kmeans ${JSON.stringify(out.kmeans)}`);

    let nsAcc: number[] = [];
    const nsPy: Json[] = [];
    const nearsub = await sideBySide(
      reps + 2,
      async () => {
        const [r, s] = await seconds(() => new NearestSubspace({ nComp: 15 }).fit(train.x, train.y).predictBoth(test.x));
        nsAcc = [accuracy(r.pca, test.y), accuracy(r.svd, test.y)];
        return s;
      },
      async () => {
        const r = await py.run('nearsub');
        nsPy.push(r);
        return r.s as number;
      },
    );
    out.nearsub = {
      what: 'both variants (PCA and SVD), 15 components, fit on 50,000 + score 10,000',
      ours_s: nearsub.ours.map(r3),
      sklearn_s: nearsub.theirs.map(r3),
      ours_pca_svd_acc: nsAcc,
      sklearn_pca_svd_acc: [nsPy[0]?.pca_acc, nsPy[0]?.svd_acc],
      ratio: r3(median(nearsub.theirs) / median(nearsub.ours)),
    };
    log(`nearsub ${JSON.stringify(out.nearsub)}`);

    const oneThread: number[] = [];
    const oneThreadCpu: number[] = [];
    const oursCpu: number[] = [];
    const calls = opts.quick ? 5 : 10;
    const loss = await sideBySide(
      reps + 2,
      async () => {
        const r = lossForwardBackward(1000, 128, 10, calls);
        oursCpu.push(r.cpuMs);
        return r.ms;
      },
      async () => {
        const r = await py.run(`loss ${calls}`);
        oneThread.push(r.one_thread_ms as number);
        oneThreadCpu.push(r.one_thread_cpu_ms as number);
        return r.default_ms as number;
      },
    );
    out.mcr2_loss = {
      what: `forward + backward, m = 1000, p = 128, k = 10, eps 0.5; median of ${calls} calls a round`,
      ours_ms: loss.ours.map(r3),
      pytorch_classwise_ms: loss.theirs.map(r3),
      pytorch_classwise_one_thread_ms: oneThread.map(r3),
      ratio: r3(median(loss.theirs) / median(loss.ours)),
      ratio_vs_one_thread: r3(median(oneThread) / median(loss.ours)),
      // CPU time a call, one thread each (ours is one thread): the figure a shared machine's load disturbs least.
      ours_cpu_ms: oursCpu.map(r3),
      pytorch_classwise_one_thread_cpu_ms: oneThreadCpu.map(r3),
      ratio_cpu_one_thread: r3(median(oneThreadCpu) / median(oursCpu)),
    };
    log(`mcr2_loss ${JSON.stringify(out.mcr2_loss)}`);
  } finally {
    py.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  out.load_average_end = os.loadavg().map((l) => +l.toFixed(2));
  out.ratios = {
    knn_vs_pytorch_topk: (out.knn as Json).ratio,
    kmeans_vs_sklearn: (out.kmeans as Json).ratio,
    nearsub_vs_sklearn: (out.nearsub as Json).ratio,
    mcr2_loss_vs_pytorch_classwise: (out.mcr2_loss as Json).ratio,
  };
  return out;
}

if (require.main === module) {
  benchAnchors({ quick: process.argv.includes('--quick') })
    .then((r) => {
      console.log(
        JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, ...r }, null, 2),
      );
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
