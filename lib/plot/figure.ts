// Figures as plotly specs (data + layout): the same object is shown inline in a notebook, saved
// as a self-contained HTML page and rendered to PNG.
import type { LossRow } from '../loss/terms.js';
import { movingAverage } from './data.js';

export interface Figure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown>;
}

/** The official plot colours: ΔR green, R royalblue, R^c coral. */
export const COLORS = { deltaR: 'green', R: 'royalblue', Rc: 'coral' } as const;

/**
 * A sequential white-to-dark-blue scale (matplotlib's Blues, the official colormap, from pure
 * white): 0 reads as empty. plotly.js's own 'Blues' runs the other way (dark at 0).
 */
export const BLUES: Array<[number, string]> = [
  [0, '#ffffff'],
  [0.125, '#deebf7'],
  [0.25, '#c6dbef'],
  [0.375, '#9ecae1'],
  [0.5, '#6baed6'],
  [0.625, '#4292c6'],
  [0.75, '#2171b5'],
  [0.875, '#08519c'],
  [1, '#08306b'],
];

/** The colour at t in [0, 1] of BLUES (linear between its stops), as rgb(). */
export function bluesAt(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  let k = 0;
  while (k < BLUES.length - 2 && BLUES[k + 1][0] < u) k++;
  const [t0, c0] = BLUES[k];
  const [t1, c1] = BLUES[k + 1];
  const f = (u - t0) / (t1 - t0);
  const rgb = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
  const a = rgb(c0);
  const b = rgb(c1);
  return `rgb(${a.map((v, i) => Math.round(v + f * (b[i] - v))).join(',')})`;
}

/**
 * The widest a figure is drawn, in CSS pixels: it fits the output area of the classic Jupyter
 * Notebook (about 978 px at its default page width), JupyterLab's and VS Code's at their usual
 * window sizes. Inline, a figure is also shrunk to its output area where that is narrower
 * (display.ts). test/figures.test.ts holds every figure builder to it.
 */
export const MAX_FIGURE_WIDTH = 960;

export const baseLayout = (title: string, xTitle: string, yTitle: string): Record<string, unknown> => ({
  title: { text: title },
  xaxis: { title: { text: xTitle } },
  yaxis: { title: { text: yTitle } },
  template: 'plotly_white',
  paper_bgcolor: 'white',
  plot_bgcolor: 'white',
  width: 760,
  height: 440,
  legend: { orientation: 'h', y: -0.2 },
});

/**
 * plot.py --loss: per-iteration curves. 'theoretical': ΔR = R_t − Rc_t, R_t, Rc_t;
 * 'empirical': −loss (= gam2·R_e − Rc_e), R_e, Rc_e.
 */
export function lossFigure(rows: LossRow[], kind: 'theoretical' | 'empirical' = 'theoretical', title?: string): Figure {
  const x = rows.map((_, i) => i);
  const line = (name: string, y: number[], color: string) => ({ type: 'scatter', mode: 'lines', name, x, y, line: { color, width: 2 } });
  const data =
    kind === 'theoretical'
      ? [
          line(
            'ΔR = R − R<sup>c</sup>',
            rows.map((r) => r.discrimnLossT - r.compressLossT),
            COLORS.deltaR,
          ),
          line(
            'R',
            rows.map((r) => r.discrimnLossT),
            COLORS.R,
          ),
          line(
            'R<sup>c</sup>',
            rows.map((r) => r.compressLossT),
            COLORS.Rc,
          ),
        ]
      : [
          line(
            '−loss = γ₂R − R<sup>c</sup>',
            rows.map((r) => -r.total),
            COLORS.deltaR,
          ),
          line(
            'R (γ₁)',
            rows.map((r) => r.discrimnLossE),
            COLORS.R,
          ),
          line(
            'R<sup>c</sup>',
            rows.map((r) => r.compressLossE),
            COLORS.Rc,
          ),
        ];
  return { data, layout: baseLayout(title ?? `MCR² loss (${kind})`, 'iteration', 'coding rate (nats)') };
}

/** Grouped bars of accuracies, e.g. { kNN: 0.99, 'nearest subspace': 0.99 }. */
export function accuracyFigure(values: Record<string, number>, title = 'test accuracy'): Figure {
  const names = Object.keys(values);
  return {
    data: [
      {
        type: 'bar',
        x: names,
        y: names.map((n) => values[n]),
        text: names.map((n) => values[n].toFixed(4)),
        textposition: 'auto',
        marker: { color: COLORS.R },
      },
    ],
    layout: { ...baseLayout(title, '', 'accuracy'), yaxis: { title: { text: 'accuracy' }, range: [0, 1] } },
  };
}

const titleOf = (fig: Figure) => String((fig.layout.title as { text?: string } | undefined)?.text ?? '');
export { titleOf as figureTitle };

const smoothNote = (w: number, unit: string) => (w > 0 ? `moving mean over ±${w} ${unit}` : 'unsmoothed');

/**
 * plot.py --loss_log: the theoretical terms smoothed by the official moving mean ([i−9, i+9]) against
 * the natural log of the (1-based) iteration, with the official dashed line at ln(iteration) = 4.
 * The official axis is ln too but labelled log₂; here the label says what is drawn.
 */
export function lossLogFigure(rows: LossRow[], opts: { window?: number; title?: string } = {}): Figure {
  const w = opts.window ?? 9;
  const x = rows.map((_, i) => Math.log(i + 1));
  const it = rows.map((_, i) => i + 1);
  const dR = movingAverage(
    rows.map((r) => r.discrimnLossT - r.compressLossT),
    w,
    w,
  );
  const R = movingAverage(
    rows.map((r) => r.discrimnLossT),
    w,
    w,
  );
  const Rc = movingAverage(
    rows.map((r) => r.compressLossT),
    w,
    w,
  );
  const line = (name: string, y: number[], color: string) => ({
    type: 'scatter',
    mode: 'lines',
    name,
    x,
    y,
    customdata: it,
    hovertemplate: `${name}: %{y:.3f}<br>iteration %{customdata}<extra></extra>`,
    line: { color, width: 2 },
  });
  const layout = baseLayout(
    opts.title ?? `MCR² loss (theoretical, ${smoothNote(w, 'iterations')})`,
    'ln(iteration)  (natural log)',
    'coding rate (nats)',
  );
  layout.shapes = [{ type: 'line', x0: 4, x1: 4, yref: 'paper', y0: 0, y1: 1, line: { dash: 'dash', color: 'gray', width: 1 } }];
  return {
    data: [line('ΔR = R − R<sup>c</sup>', dR, COLORS.deltaR), line('R', R, COLORS.R), line('R<sup>c</sup>', Rc, COLORS.Rc)],
    layout,
  };
}

/** Per-epoch means of the theoretical terms (ΔR, R, R^c), epochs ascending. */
export function epochMeans(rows: LossRow[]): { epoch: number[]; dR: number[]; R: number[]; Rc: number[] } {
  const by = new Map<number, { n: number; R: number; Rc: number }>();
  for (const r of rows) {
    const e = by.get(r.epoch) ?? { n: 0, R: 0, Rc: 0 };
    e.n++;
    e.R += r.discrimnLossT;
    e.Rc += r.compressLossT;
    by.set(r.epoch, e);
  }
  const epoch = [...by.keys()].sort((a, b) => a - b);
  const R = epoch.map((e) => by.get(e)!.R / by.get(e)!.n);
  const Rc = epoch.map((e) => by.get(e)!.Rc / by.get(e)!.n);
  return { epoch, R, Rc, dR: R.map((v, i) => v - Rc[i]) };
}

/**
 * plot.py --traintest: per-epoch means of the theoretical terms on the train set (losses.csv, solid)
 * and the test set (losses_test.csv, dashed). The official smooths over ±9 epochs, which flattens a
 * run of fewer than 19 epochs to its mean; so the default smooths only runs that long.
 */
export function trainTestFigure(train: LossRow[], test: LossRow[], opts: { window?: number; title?: string } = {}): Figure {
  const a = epochMeans(train);
  const b = epochMeans(test);
  const w = opts.window ?? (a.epoch.length >= 19 ? 9 : 0);
  const sm = (v: number[]) => movingAverage(v, w, w);
  const line = (name: string, x: number[], y: number[], color: string, dash: string) => ({
    type: 'scatter',
    mode: x.length < 30 ? 'lines+markers' : 'lines',
    name,
    x,
    y: sm(y),
    line: { color, width: 2, dash },
  });
  const layout = baseLayout(
    opts.title ?? `MCR² loss per epoch, train and test (${smoothNote(w, 'epochs')})`,
    'epoch',
    'coding rate (nats)',
  );
  layout.yaxis = { title: { text: 'coding rate (nats)' }, rangemode: 'tozero' };
  layout.xaxis = epochAxis(a.epoch);
  layout.height = 480;
  return {
    data: [
      line('ΔR (train)', a.epoch, a.dR, COLORS.deltaR, 'solid'),
      line('ΔR (test)', b.epoch, b.dR, COLORS.deltaR, 'dash'),
      line('R (train)', a.epoch, a.R, COLORS.R, 'solid'),
      line('R (test)', b.epoch, b.R, COLORS.R, 'dash'),
      line('R<sup>c</sup> (train)', a.epoch, a.Rc, COLORS.Rc, 'solid'),
      line('R<sup>c</sup> (test)', b.epoch, b.Rc, COLORS.Rc, 'dash'),
    ],
    layout,
  };
}

/** An epoch x-axis: whole-number ticks when there are few epochs. */
function epochAxis(epochs: number[]): Record<string, unknown> {
  const span = epochs.length > 0 ? epochs[epochs.length - 1] - epochs[0] : 0;
  return span <= 12
    ? {
        title: { text: 'epoch' },
        dtick: span <= 12 && epochs.length > 1 ? Math.max(1, Math.round(span / Math.max(1, epochs.length - 1))) : 1,
      }
    : { title: { text: 'epoch' } };
}

export interface AccuracyRow {
  epoch: number;
  accTrain: number;
  accTest: number;
}

/**
 * plot.py --acc: train and test accuracy from accuracy.csv against the epoch column (the official
 * plots them against the row number, though rows are every 5th epoch). Smoothed over ±9 rows as
 * the official when there are at least 19 rows.
 */
export function accuracyCurveFigure(rows: AccuracyRow[], opts: { window?: number; title?: string } = {}): Figure {
  const w = opts.window ?? (rows.length >= 19 ? 9 : 0);
  const x = rows.map((r) => r.epoch);
  const line = (name: string, y: number[], color: string) => ({
    type: 'scatter',
    mode: x.length < 30 ? 'lines+markers' : 'lines',
    name,
    x,
    y: movingAverage(y, w, w),
    line: { color, width: 2 },
  });
  const layout = baseLayout(opts.title ?? `LinearSVC accuracy per checkpoint (${smoothNote(w, 'rows')})`, 'epoch', 'accuracy');
  layout.xaxis = epochAxis(x);
  return {
    data: [
      line(
        'train',
        rows.map((r) => r.accTrain),
        'lightcoral',
      ),
      line(
        'test',
        rows.map((r) => r.accTest),
        'cornflowerblue',
      ),
    ],
    layout,
  };
}
