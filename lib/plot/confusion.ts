// Confusion matrices: a classifier's (true x predicted) and a clustering's, with clusters matched to
// classes by the Hungarian assignment (the one clustering accuracy uses), ACC/NMI/ARI in the title.
// Colours: white at zero (an empty cell reads as empty), darkest at the largest count.
import { linearSumAssignment } from '../evaluate/hungarian.js';
import { adjustedRandIndex, clusteringAccuracy, contingencyTable, normalizedMutualInfo } from '../evaluate/metrics.js';
import { BLUES, baseLayout, type Figure } from './figure.js';
import { saveFigure } from './render.js';

/** Confusion matrix as a heatmap (rows: true class, columns: predicted); zeros are blank cells. */
export function confusionFigure(
  matrix: number[][],
  classes: string[],
  title = 'confusion matrix',
  opts: { xLabels?: string[]; xTitle?: string } = {},
): Figure {
  let max = 0;
  for (const r of matrix) for (const v of r) max = Math.max(max, v);
  const x = opts.xLabels ?? classes;
  const xTitle = opts.xTitle ?? 'predicted';
  return {
    data: [
      {
        type: 'heatmap',
        z: matrix,
        x,
        y: classes,
        zmin: 0,
        zmax: Math.max(1, max),
        colorscale: BLUES,
        xgap: 1,
        ygap: 1,
        text: matrix.map((r) => r.map((v) => (v === 0 ? '' : String(v)))),
        texttemplate: '%{text}',
        hovertemplate: `true %{y}<br>${xTitle} %{x}<br>%{z}<extra></extra>`,
      },
    ],
    layout: {
      ...baseLayout(title, xTitle, 'true'),
      yaxis: { title: { text: 'true' }, autorange: 'reversed', type: 'category' },
      xaxis: { title: { text: xTitle }, type: 'category' },
      width: 640,
      height: 580,
    },
  };
}

export interface ClusteringConfusion {
  figure: Figure;
  /** Rows: classes (ascending); columns: clusters, matched ones first in the order of their class. */
  matrix: number[][];
  /** clusterOrder[k] = the cluster id drawn in column k. */
  clusterOrder: number[];
  /** matchedClass[k] = the class cluster clusterOrder[k] was matched to, or −1. */
  matchedClass: number[];
  acc: number;
  nmi: number;
  ari: number;
}

/**
 * The confusion matrix of a clustering against the true labels: clusters assigned to classes by
 * the Hungarian method on the contingency table (maximum matched items), so the matched counts lie
 * on the diagonal and their sum / N is the clustering accuracy in the title.
 */
export function clusteringConfusionFigure(
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: { title?: string; classes?: string[] } = {},
): ClusteringConfusion {
  const ct = contingencyTable(labels, pred, 'clustering confusion');
  const nr = ct.rowLabels.length;
  const nc = ct.colLabels.length;
  const as = linearSumAssignment(ct.counts, nr, nc, { maximize: true });
  const colOfRow = new Map<number, number>();
  for (let k = 0; k < as.rows.length; k++) colOfRow.set(as.rows[k], as.cols[k]);
  const order: number[] = [];
  const matched: number[] = [];
  for (let r = 0; r < nr; r++) {
    const c = colOfRow.get(r);
    if (c !== undefined) {
      order.push(c);
      matched.push(ct.rowLabels[r]);
    }
  }
  for (let c = 0; c < nc; c++)
    if (!order.includes(c)) {
      order.push(c);
      matched.push(-1);
    }
  const matrix = Array.from({ length: nr }, (_, r) => order.map((c) => ct.counts[r * nc + c]));
  const acc = clusteringAccuracy(pred, labels);
  const nmi = normalizedMutualInfo(pred, labels);
  const ari = adjustedRandIndex(pred, labels);
  const classes = ct.rowLabels.map((v) => opts.classes?.[v] ?? String(v));
  const clusterNames = order.map((c, k) => `c${ct.colLabels[c]}${matched[k] >= 0 ? '' : '*'}`);
  const title = `${opts.title ?? 'clustering'}: ACC ${acc.toFixed(4)}, NMI ${nmi.toFixed(4)}, ARI ${ari.toFixed(4)}`;
  const figure = confusionFigure(matrix, classes, title, {
    xLabels: clusterNames,
    xTitle: 'cluster c<i>k</i>, matched to the class of its column (* unmatched)',
  });
  (figure.layout as Record<string, unknown>).meta = {
    acc,
    nmi,
    ari,
    clusterOrder: order.map((c) => ct.colLabels[c]),
    matchedClass: matched,
  };
  return { figure, matrix, clusterOrder: order.map((c) => ct.colLabels[c]), matchedClass: matched, acc, nmi, ari };
}

/**
 * Saves a clustering's confusion matrix (Hungarian-matched, ACC/NMI/ARI in the title) as
 * dir/name.{png,html,json}; returns the files written.
 */
export async function saveClusteringConfusion(
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
  dir: string,
  name: string,
  opts: { title?: string; classes?: string[] } = {},
): Promise<string[]> {
  const s = await saveFigure(clusteringConfusionFigure(pred, labels, opts).figure, dir, name);
  return [...(s.png ? [s.png] : []), s.html, s.json];
}
