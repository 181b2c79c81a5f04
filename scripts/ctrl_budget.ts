// How notebook 07's run was sized: MCR²-CTRL (train_selfsup.py) on the first `subset` CIFAR-10
// training images at one batch composition (images x views, feature dimension), trained for a
// budget of process CPU seconds (2 threads: about twice the wall time on a quiet machine), then its
// training features clustered as evaluate.py does: k-means on all of them, EnSC (its defaults) on
// the first `ensc` rows. Two compositions at the same budget compare at equal work.
//   node dist/scripts/ctrl_budget.js --subset 1000 --aug 50 --bs 1000 --fd 128 --cpu 1000
import { parseArgs } from 'node:util';
import * as mcr2 from '../lib/index.js';

const { values: a } = parseArgs({
  options: {
    arch: { type: 'string', default: 'cnn3' },
    subset: { type: 'string', default: '1000' },
    aug: { type: 'string', default: '50' },
    bs: { type: 'string', default: '1000' },
    fd: { type: 'string', default: '128' },
    cpu: { type: 'string', default: '1000' },
    ensc: { type: 'string', default: '1000' },
    save_dir: { type: 'string', default: './saved_models/' },
  },
});

const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

async function main(): Promise<void> {
  await mcr2.initBackend();
  const t0 = Date.now();
  const c0 = cpuSeconds();
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(0)} s wall, ${(cpuSeconds() - c0).toFixed(0)} s cpu]`;
  const t = await mcr2.Trainer.createSelfSup(
    {
      arch: a.arch,
      data: 'cifar10',
      subset: Number(a.subset),
      featureDim: Number(a.fd),
      numAug: Number(a.aug),
      batchSize: Number(a.bs),
      epochs: 1000,
      lr: 0.1,
      gam1: 20,
      gam2: 0.05,
      eps: 0.5,
      transform: 'cifar',
      sampler: 'random',
      saveDir: a.save_dir,
      tail: `_budget${a.cpu}`,
    },
    { progress: false, log: () => {} },
  );
  let steps = 0;
  while (cpuSeconds() - c0 < Number(a.cpu)) {
    const [r] = await t.runSteps(1);
    steps++;
    if (steps % 10 === 0)
      console.log(`${stamp()} step ${steps} (epoch ${r.epoch}): R ${r.discrimnLossT.toFixed(3)} Rc ${r.compressLossT.toFixed(3)}`);
  }
  console.log(`${stamp()} trained ${steps} steps of ${a.bs} views (${(steps * Number(a.bs)) / Number(a.aug)} images seen)`);
  const f = await t.features('train');
  const m = Math.min(Number(a.ensc), f.n);
  const first = { features: f.features.slice(0, m * f.dim), labels: f.labels.slice(0, m), n: m, dim: f.dim };
  const km = mcr2.evaluate.clusterScores((await new mcr2.KMeans({ nClusters: 10 }).fit(f)).labels, f.labels);
  const en = mcr2.evaluate.clusterScores((await new mcr2.EnSC({ nClusters: 10 }).fit(first)).labels, first.labels);
  const s = (c: { acc: number; nmi: number; ari: number }) => `ACC ${c.acc.toFixed(4)} NMI ${c.nmi.toFixed(4)} ARI ${c.ari.toFixed(4)}`;
  console.log(
    `${stamp()} ${a.subset} images, ${Number(a.bs) / Number(a.aug)} x ${a.aug} views, fd ${a.fd}: k-means (${f.n}) ${s(km)}; EnSC (${m}) ${s(en)}`,
  );
  await t.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
