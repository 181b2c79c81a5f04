// plot.py's figures of learned features: per-class singular-value spectra (--pca, --pca_epoch),
// cosine-similarity histograms per class pair (--hist) and the |ZZᵀ| heat map (--heat). Builders
// take the numbers lib/features/analysis.ts computes, so a figure's JSON holds exactly what was measured.
import type { ClassSpectra, HeatGrid, PairHistogram } from '../features/analysis.js';
import { BLUES, baseLayout, bluesAt, type Figure } from './figure.js';

const round = (v: number, d = 6) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * plot.py --pca: the PCA singular values of each class (centred), one line per class in shades of
 * blue (light to dark by class, the official Blues). The spectrum of all features together, which
 * the official computes and saves, is in the legend (click to show); it would flatten the class
 * lines, being √(N/N_c) times larger.
 */
export function pcaFigure(s: ClassSpectra, opts: { title?: string; classes?: string[] } = {}): Figure {
  const K = s.perClass.length;
  const n = Math.min(...s.perClass.map((v) => v.length), s.all.length);
  const x = [...Array(n).keys()];
  const data: Array<Record<string, unknown>> = s.perClass.map((v, c) => ({
    type: 'scatter',
    mode: 'lines+markers',
    name: `class ${opts.classes?.[c] ?? c}`,
    x,
    y: v.slice(0, n),
    line: { color: bluesAt(0.35 + (0.65 * c) / Math.max(1, K - 1)), width: 1.5 },
    marker: { size: 5, line: { color: 'black', width: 0.5 } },
  }));
  data.push({
    type: 'scatter',
    mode: 'lines+markers',
    name: 'all classes',
    x,
    y: s.all.slice(0, n),
    visible: 'legendonly',
    line: { color: 'tomato', width: 2 },
    marker: { symbol: 'pentagon', size: 6 },
  });
  const layout = baseLayout(opts.title ?? 'PCA singular values of each class (centred)', 'component', 'singular value');
  layout.yaxis = { title: { text: 'singular value' }, rangemode: 'tozero' };
  layout.legend = { orientation: 'v', x: 1.02, y: 1 };
  layout.width = 820;
  return { data, layout };
}

/** plot.py --pca_epoch: singular values at several epochs, of one class or of all features. */
export function pcaEpochFigure(
  curves: Array<{ epoch: number; values: number[] }>,
  opts: { classLabel?: string; title?: string } = {},
): Figure {
  const n = Math.min(...curves.map((c) => c.values.length));
  const x = [...Array(n).keys()];
  const data = curves.map((c, k) => ({
    type: 'scatter',
    mode: 'lines',
    name: `epoch ${c.epoch}`,
    x,
    y: c.values.slice(0, n),
    line: { color: bluesAt(0.3 + (0.7 * k) / Math.max(1, curves.length - 1)), width: 2 },
  }));
  const what = opts.classLabel === undefined ? 'all features' : `class ${opts.classLabel}`;
  const layout = baseLayout(opts.title ?? `PCA singular values over training (${what}, centred)`, 'component', 'singular value');
  layout.yaxis = { title: { text: 'singular value' }, rangemode: 'tozero' };
  layout.legend = { orientation: 'v', x: 1.02, y: 1 };
  layout.width = 800;
  return { data, layout };
}

/** plot.py --hist: one class pair's histogram of cosine similarities (bars exactly at the bins). */
export function cosineHistogramFigure(h: PairHistogram, opts: { classes?: string[]; title?: string } = {}): Figure {
  const name = (c: number) => opts.classes?.[c] ?? String(c);
  const x = h.counts.map((_, b) => (h.edges[b] + h.edges[b + 1]) / 2);
  const width = h.counts.map((_, b) => h.edges[b + 1] - h.edges[b]);
  const within = h.i === h.j;
  const layout = baseLayout(
    opts.title ??
      `Class ${name(h.i)} vs. Class ${name(h.j)}: ${within ? 'pairs within the class' : 'pairs across'} (${h.total.toLocaleString('en-US')} cosines)`,
    'cosine similarity',
    'count',
  );
  layout.bargap = 0;
  layout.showlegend = false;
  return {
    data: [
      {
        type: 'bar',
        x,
        y: h.counts,
        width,
        customdata: h.counts.map((_, b) => [h.edges[b], h.edges[b + 1]]),
        hovertemplate: '[%{customdata[0]:.4f}, %{customdata[1]:.4f}): %{y}<extra></extra>',
        marker: { color: 'red', opacity: 0.5, line: { color: 'darkred', width: 0.5 } },
        meta: { i: h.i, j: h.j, edges: h.edges, total: h.total },
      },
    ],
    layout,
  };
}

/**
 * plot.py --heat: |ZZᵀ| with items sorted by class, as a res x res grid of exact cell means (a
 * browser opens it at any N; the official draws the whole N x N matrix). White 0, dark blue 1;
 * thin lines and tick labels mark the classes.
 */
export function heatmapFigure(g: HeatGrid, opts: { classes?: string[]; title?: string } = {}): Figure {
  const R = g.res;
  const centres = Array.from({ length: R }, (_, k) => (g.bounds[k] + g.bounds[k + 1] - 1) / 2);
  const z = Array.from({ length: R }, (_, a) => Array.from(g.z.subarray(a * R, (a + 1) * R), (v) => round(v)));
  const K = g.offsets.length - 1;
  const tickvals: number[] = [];
  const ticktext: string[] = [];
  const shapes: Array<Record<string, unknown>> = [];
  for (let c = 0; c < K; c++) {
    if (g.offsets[c + 1] === g.offsets[c]) continue;
    tickvals.push((g.offsets[c] + g.offsets[c + 1] - 1) / 2);
    ticktext.push(opts.classes?.[c] ?? String(c));
    if (c > 0) {
      const p = g.offsets[c] - 0.5;
      const line = { color: 'rgba(200,0,0,0.35)', width: 0.6 };
      shapes.push({ type: 'line', x0: p, x1: p, y0: -0.5, y1: g.n - 0.5, line });
      shapes.push({ type: 'line', y0: p, y1: p, x0: -0.5, x1: g.n - 0.5, line });
    }
  }
  const cell = g.n / R;
  const res =
    cell > 1
      ? `${R} x ${R} cells, each the exact mean of its ${cell % 1 === 0 ? cell : `~${cell.toFixed(1)}`}² entries`
      : `${R} x ${R} entries`;
  const axis = (t: string) => ({ title: { text: t }, tickvals, ticktext, range: [-0.5, g.n - 0.5], showgrid: false, zeroline: false });
  return {
    data: [
      {
        type: 'heatmap',
        z,
        x: centres,
        y: centres,
        zmin: 0,
        zmax: 1,
        colorscale: BLUES,
        colorbar: { tickvals: [0, 0.5, 1], thickness: 14 },
        hovertemplate: 'items ≈%{y:.0f}, ≈%{x:.0f}<br>mean |cos| %{z:.4f}<extra></extra>',
        meta: { bounds: Array.from(g.bounds), offsets: Array.from(g.offsets), n: g.n },
      },
    ],
    layout: {
      title: { text: opts.title ?? `|ZZᵀ| of ${g.n.toLocaleString('en-US')} features sorted by class<br><sub>${res}</sub>` },
      xaxis: axis('class'),
      yaxis: { ...axis('class'), autorange: false, range: [g.n - 0.5, -0.5], scaleanchor: 'x' },
      shapes,
      width: 720,
      height: 680,
      paper_bgcolor: 'white',
      plot_bgcolor: 'white',
      margin: { l: 70, r: 30, t: 70, b: 60 },
    },
  };
}
