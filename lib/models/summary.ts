// The layer table of an --arch (for `mcr2 summary`): one row per layer (a residual block is one
// row), its output shape for one image, its parameters, and the trainable total.
import * as tf from '@tensorflow/tfjs';
import type { FeatureNet } from './feature_net.js';
import { archAbout, createModel } from './index.js';
import type { LayerRow } from './nn.js';

/** 11497664 → '11,497,664'. */
export function thousands(n: number): string {
  const s = String(Math.abs(Math.trunc(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return (n < 0 ? '-' : '') + out;
}

/** The rows of `summaryText`: a forward pass of one zero image on the active backend, in eval mode. */
export function summaryRows(model: FeatureNet): LayerRow[] {
  const x = tf.zeros([1, ...model.inputShape]);
  try {
    return model.describe(x);
  } finally {
    x.dispose();
  }
}

/**
 * The layer table of `arch` at feature dimension `fd` (weights from seed 0), ending with the line
 * `trainable parameters: N`. Runs one image through the model on the active tfjs backend.
 */
export function summaryText(arch: string, fd: number): string {
  const model = createModel(arch, fd, { seed: 0 });
  try {
    const rows = summaryRows(model);
    const head = { name: 'layer', type: 'type', output: 'output shape', params: 'params' };
    const cells = rows.map((r) => ({ name: r.name, type: r.type, output: r.output, params: thousands(r.params) }));
    const wName = Math.max(head.name.length, ...cells.map((c) => c.name.length));
    const wType = Math.max(head.type.length, ...cells.map((c) => c.type.length));
    const wOut = Math.max(head.output.length, ...cells.map((c) => c.output.length));
    const wPar = Math.max(head.params.length, ...cells.map((c) => c.params.length));
    const line = (c: typeof head) =>
      `${c.name.padEnd(wName)}  ${c.type.padEnd(wType)}  ${c.output.padEnd(wOut)}  ${c.params.padStart(wPar)}`.trimEnd();
    const rule = '-'.repeat(wName + wType + wOut + wPar + 6);
    const [h, w, c] = model.inputShape;
    const out = [
      `${model.arch}: ${archAbout(arch)}`,
      `input ${h}x${w}x${c}, feature dimension ${fd}, output rows L2-normalised`,
      rule,
      line(head),
      rule,
      ...cells.map(line),
      rule,
    ];
    const running = model.namedBuffers().reduce((a, [, v]) => a + v.size, 0);
    if (running > 0) out.push(`batch-norm running statistics (not trainable): ${thousands(running)}`);
    const unused = model.numUnusedParameters();
    if (unused > 0)
      out.push(`in ${model.unusedNames.join(', ')}, held for the official state_dict but never used (not trainable): ${thousands(unused)}`);
    out.push(`trainable parameters: ${thousands(model.numParameters())}`);
    return out.join('\n');
  } finally {
    model.dispose();
  }
}
