// What notebook 05's table of alternatives was measured with: supervised MCR² on all of CIFAR-10 at
// one size, then kNN (k 5), nearest subspace (30) and the linear SVM on the 10,000 test images, with
// batch norm's running statistics and then recalibrated. One line per result.
//   node dist/scripts/cifar_budget.js --arch cnn3 --epochs 3 --bs 500 --lr 0.05 --transform test [--milestones 2] [--workers 0]
import { parseArgs } from 'node:util';
import * as mcr2 from '../lib/index.js';

const { values: a } = parseArgs({
  options: {
    arch: { type: 'string', default: 'cnn3' },
    epochs: { type: 'string', default: '3' },
    bs: { type: 'string', default: '500' },
    lr: { type: 'string', default: '0.05' },
    transform: { type: 'string', default: 'test' },
    milestones: { type: 'string', default: '' },
    workers: { type: 'string', default: '-1' },
    save_dir: { type: 'string', default: './saved_models/' },
  },
});

async function main(): Promise<void> {
  await mcr2.initBackend();
  const t0 = Date.now();
  const log = (l: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${l}`);
  const milestones = a.milestones ? a.milestones.split(',').map(Number) : [];
  const run = { arch: a.arch, data: 'cifar10', featureDim: 128, transform: a.transform, epochs: Number(a.epochs), batchSize: Number(a.bs) };
  const r = await mcr2.trainSupervised(
    { ...run, lr: Number(a.lr), milestones, workers: Number(a.workers), saveDir: a.save_dir, tail: '_budget' },
    { progress: false, log },
  );
  log(`trained in ${r.seconds.toFixed(0)} s at ${r.imagesPerSecond.toFixed(0)} images/s`);
  const train = mcr2.loadDataset('cifar10', 'train');
  const test = mcr2.loadDataset('cifar10', 'test');
  const judge = async (stats: string) => {
    const ev = await mcr2.evaluate.evaluateFeatures(
      await mcr2.features.datasetFeatures(r.model, train),
      await mcr2.features.datasetFeatures(r.model, test),
      { knn: true, nearsub: true, svm: true, nComp: 30, log: () => {} },
    );
    log(`${stats}: nearest subspace ${ev.nearsub?.svd.toFixed(4)}, SVM ${ev.svm?.toFixed(4)}, kNN ${ev.knn?.toFixed(4)}`);
  };
  await judge('running statistics');
  mcr2.features.recalibrateBatchNorm(r.model, train, { batchSize: run.batchSize });
  await judge('recalibrated');
  r.model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
