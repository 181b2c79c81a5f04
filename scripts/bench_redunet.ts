// `node dist/scripts/bench_redunet.js [--quick]`: ReduNet's speed on the paper's sizes, as one JSON
// document: CPU seconds (process.cpuUsage of this process) and wall seconds of the construction
// (`fit`, losses included), a pass with losses (`passThrough`) and one without (`transform`), for
// gaussian2d/3d's Figure 2 command, mnist1d's Figure 3 command and mnist2d's lift to 16 channels
// (a few layers, per layer). docs/redunet.md quotes it.
import * as os from 'node:os';
import { initBackend } from '../lib/backend/backend.js';
import { gaussianData, mnistShiftData } from '../lib/redunet/experiments.js';
import { ReduNet, type ReduNetOptions } from '../lib/redunet/redunet.js';
import type { LabelledRows } from '../lib/redunet/data.js';

interface Timing {
  cpu_s: number;
  wall_s: number;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, Timing]> {
  const c0 = process.cpuUsage();
  const t0 = Date.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  return [r, { cpu_s: +((c.user + c.system) / 1e6).toFixed(2), wall_s: +((Date.now() - t0) / 1000).toFixed(2) }];
}

async function bench(name: string, opts: ReduNetOptions, train: LabelledRows, test: LabelledRows): Promise<Record<string, unknown>> {
  const [net, fit] = await timed(() => new ReduNet(opts).fit(train, train.labels));
  const [, pass] = await timed(() => net.passThrough(test));
  const [, transform] = await timed(() => net.transform(test));
  const out = { name, layers: net.layerCount, train: train.n, test: test.n, fit, passThrough: pass, transform };
  console.error(`${name}: fit ${fit.cpu_s} s CPU, pass ${pass.cpu_s} s, transform ${transform.cpu_s} s`);
  return out;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  await initBackend();
  const results: Record<string, unknown>[] = [];
  for (const dim of [2, 3] as const) {
    const d = gaussianData({ dim, data: 1, samples: quick ? 100 : 500 });
    results.push(await bench(`gaussian${dim}d`, { layers: quick ? 200 : 2000 }, d.train, d.test));
  }
  const m1 = mnistShiftData({ invariance: 1, samples: 10, channels: 15, time: 200 });
  results.push(
    await bench(
      'mnist1d',
      { layers: quick ? 5 : 40, shape: m1.train.shape, lift: { outChannels: 20, kernelSize: 5 }, numClasses: 10 },
      m1.train,
      m1.test,
    ),
  );
  const m2 = mnistShiftData({ invariance: 2, samples: 10 });
  results.push(
    await bench(
      'mnist2d (16 channels)',
      { layers: quick ? 1 : 3, shape: m2.train.shape, lift: { outChannels: 16, kernelSize: 9 }, numClasses: 10 },
      m2.train,
      m2.test,
    ),
  );
  console.log(JSON.stringify({ cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), node: process.version, results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
