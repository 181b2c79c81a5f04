// How notebook 06's converged regime was sized: supervised MCR² and cross-entropy on the same first
// `subset` CIFAR-10 training images with corrupted labels, judged after every epoch (fit of the
// corrupted training labels, memorisation of the wrong ones, clean test accuracy on the first
// `test` test images). One line per epoch and loss, with wall and CPU seconds.
//   node dist/scripts/cifar_memorise.js --subset 1000 --ratio 0.5 --bs 250 --epochs 40 --lr 0.05 --milestones 16,32 --test 2000
import { parseArgs } from 'node:util';
import * as mcr2 from '../lib/index.js';

const { values: a } = parseArgs({
  options: {
    arch: { type: 'string', default: 'cnn3' },
    subset: { type: 'string', default: '1000' },
    ratio: { type: 'string', default: '0.5' },
    bs: { type: 'string', default: '250' },
    epochs: { type: 'string', default: '40' },
    lr: { type: 'string', default: '0.05' },
    milestones: { type: 'string', default: '' },
    test: { type: 'string', default: '2000' },
    every: { type: 'string', default: '1' },
    losses: { type: 'string', default: 'ce,mcr2' },
    svm: { type: 'string', default: 'true' },
    save_dir: { type: 'string', default: './saved_models/' },
  },
});

async function main(): Promise<void> {
  await mcr2.initBackend();
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const stamp = () => {
    const c = process.cpuUsage(c0);
    return `[${((Date.now() - t0) / 1000).toFixed(0)} s wall, ${((c.user + c.system) / 1e6).toFixed(0)} s cpu]`;
  };
  const test = mcr2.data.firstN(mcr2.loadDataset('cifar10', 'test'), Number(a.test));
  const milestones = a.milestones ? a.milestones.split(',').map(Number) : [];
  const every = Number(a.every);
  for (const loss of a.losses.split(',') as Array<'ce' | 'mcr2'>) {
    const run = {
      arch: a.arch,
      data: 'cifar10',
      featureDim: 128,
      transform: 'test',
      subset: Number(a.subset),
      epochs: Number(a.epochs),
      batchSize: Number(a.bs),
      lr: Number(a.lr),
      milestones,
      corruptRatio: Number(a.ratio),
      loss,
      saveDir: a.save_dir,
      tail: '_memorise',
    };
    const t = await mcr2.Trainer.create(run, { progress: false, log: () => {} });
    const train = mcr2.data.firstN(mcr2.loadDataset('cifar10', 'train'), run.subset);
    const noisy = mcr2.data.corruptLabels(train.labels, 'default', run.corruptRatio, 10);
    while (!t.done) {
      await t.runEpoch();
      if (t.epoch % every !== 0 && !t.done) continue;
      const e0 = Date.now();
      const j = await mcr2.evaluate.judgeNoisyLabels(t.model, { train, trainLabels: noisy, test }, { svm: a.svm === 'true' });
      const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(3));
      console.log(
        `${stamp()} ${loss} epoch ${t.epoch}: fit ${f(j.fit.fit)} memorised ${f(j.fit.memorised)} (features: ${f(j.featureFit?.fit)} / ${f(j.featureFit?.memorised)}); ` +
          `test NS ${f(j.test.nearsub)} SVM ${f(j.test.svm)} kNN ${f(j.test.knn)} CE ${f(j.test.ce)} (judged in ${((Date.now() - e0) / 1000).toFixed(1)} s)`,
      );
    }
    await t.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
