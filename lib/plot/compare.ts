// Figures that compare: two heatmaps side by side on one colour scale (clusterings' confusion
// matrices, what notebook 04 shows), and curves of several measures against one variable (test
// accuracies against the label-corruption ratio, notebook 03).
import { type ClusteringConfusion, clusteringConfusionFigure } from './confusion.js';
import { baseLayout, type Figure, figureTitle, MAX_FIGURE_WIDTH } from './figure.js';

type Layout = Record<string, unknown>;

/**
 * Two heatmap figures as one, left and right, sharing the larger colour scale; each keeps its axes,
 * and its title becomes its subplot's caption (a title's ': ' breaks into a second line there).
 */
export function sideBySideFigure(left: Figure, right: Figure, title: string): Figure {
  const zmax = Math.max(Number(left.data[0].zmax ?? 0), Number(right.data[0].zmax ?? 0));
  const caption = (f: Figure, x: number) => ({
    text: figureTitle(f).replace(': ', '<br>'),
    x,
    y: 1.02,
    xref: 'paper',
    yref: 'paper',
    xanchor: 'center',
    yanchor: 'bottom',
    showarrow: false,
  });
  const axes = (f: Figure, domain: number[]) => ({ ...(f.layout.xaxis as Layout), domain });
  return {
    data: [
      { ...left.data[0], zmax, showscale: false },
      { ...right.data[0], zmax, xaxis: 'x2', yaxis: 'y2' },
    ],
    layout: {
      title: { text: title },
      // Each matrix ~390 px square: the pair fits a notebook's output area (MAX_FIGURE_WIDTH).
      width: MAX_FIGURE_WIDTH,
      height: 580,
      margin: { t: 110, l: 70, r: 30, b: 70 },
      font: left.layout.font,
      paper_bgcolor: 'white',
      plot_bgcolor: 'white',
      xaxis: axes(left, [0, 0.45]),
      yaxis: { ...(left.layout.yaxis as Layout) },
      xaxis2: axes(right, [0.53, 0.98]),
      yaxis2: { ...(right.layout.yaxis as Layout), anchor: 'x2' },
      annotations: [caption(left, 0.225), caption(right, 0.755)],
    },
  };
}

/** One clustering for clusteringPairFigure: its labels, the true labels and its name. */
export interface NamedClustering {
  pred: ArrayLike<number>;
  labels: ArrayLike<number>;
  title: string;
}

/**
 * Two clusterings' Hungarian-matched confusion matrices side by side (clusteringConfusionFigure
 * each: ACC, NMI and ARI under each title), e.g. k-means on pixels against k-means on features.
 */
export function clusteringPairFigure(
  left: NamedClustering,
  right: NamedClustering,
  opts: { title: string; classes?: string[] },
): { figure: Figure; left: ClusteringConfusion; right: ClusteringConfusion } {
  const conf = (c: NamedClustering) => clusteringConfusionFigure(c.pred, c.labels, { title: c.title, classes: opts.classes });
  const l = conf(left);
  const r = conf(right);
  const figure = sideBySideFigure(l.figure, r.figure, opts.title);
  // Both subplots' x-axes say what a column is, without the unmatched-cluster note of one figure.
  for (const k of ['xaxis', 'xaxis2']) (figure.layout[k] as Layout).title = { text: 'cluster (matched to the class of its column)' };
  return { figure, left: l, right: r };
}

/** The official plot colours first, then plotly's. */
const PALETTE = ['royalblue', 'green', 'purple', 'coral', 'goldenrod', 'teal', 'crimson', 'slategray'];

/**
 * Lines with markers of each `y` column against the `x` column of `rows` (e.g. accuracies of
 * several methods against the corruption ratio); rows are drawn in the order of x.
 */
export function seriesFigure<R extends Record<string, unknown>>(
  rows: readonly R[],
  opts: { x: keyof R & string; y: Array<keyof R & string>; title: string; xTitle?: string; yTitle?: string; colors?: string[] },
): Figure {
  const sorted = [...rows].sort((a, b) => Number(a[opts.x]) - Number(b[opts.x]));
  const colors = opts.colors ?? PALETTE;
  return {
    data: opts.y.map((name, i) => ({
      type: 'scatter',
      mode: 'lines+markers',
      name,
      x: sorted.map((r) => r[opts.x]),
      y: sorted.map((r) => r[name]),
      line: { color: colors[i % colors.length], width: 2 },
    })),
    layout: baseLayout(opts.title, opts.xTitle ?? opts.x, opts.yTitle ?? ''),
  };
}
