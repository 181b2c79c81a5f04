// Figures as plotly specs (data + layout): the same object is shown inline in a notebook, saved
// as a self-contained HTML page and rendered to PNG.
import type { LossRow } from '../train/run_folder.js';

export interface Figure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown>;
}

/** The official plot colours: ΔR green, R royalblue, R^c coral. */
export const COLORS = { deltaR: 'green', R: 'royalblue', Rc: 'coral' } as const;

const baseLayout = (title: string, xTitle: string, yTitle: string): Record<string, unknown> => ({
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

/** Confusion matrix as a heatmap (rows: true class, columns: predicted). */
export function confusionFigure(matrix: number[][], classes: string[], title = 'confusion matrix'): Figure {
  return {
    data: [
      {
        type: 'heatmap',
        z: matrix,
        x: classes,
        y: classes,
        colorscale: 'Blues',
        reversescale: false,
        text: matrix.map((r) => r.map(String)),
        texttemplate: '%{text}',
        hovertemplate: 'true %{y}<br>predicted %{x}<br>%{z}<extra></extra>',
      },
    ],
    layout: {
      ...baseLayout(title, 'predicted', 'true'),
      yaxis: { title: { text: 'true' }, autorange: 'reversed', type: 'category' },
      xaxis: { title: { text: 'predicted' }, type: 'category' },
      width: 620,
      height: 560,
    },
  };
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
