// plot.py's nearest-component figures: grids of the train images with the largest |projection| on
// principal components of the features (--nearcomp_sup, --nearcomp_unsup, --nearcomp_class). The
// grid is one PNG (a data URI in an image trace: small files, crisp pixels) with plotly
// annotations for labels; the image indices and projections travel in the trace's `meta`.
import { PNG } from 'pngjs';
import { rawBatchData } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import { type Figure, MAX_FIGURE_WIDTH } from './figure.js';

export interface TileGridOptions {
  title: string;
  rowLabels?: string[];
  colLabels?: string[];
  /** One caption under each tile. */
  captions?: string[][];
  /** Screen pixels per image pixel (default 3). */
  scale?: number;
  /** Extra data for the figure's JSON (indices, projections). */
  meta?: Record<string, unknown>;
}

/** Images ds[indices[r][c]] as a labelled grid (rows may be ragged). */
export function tileGridFigure(ds: ImageDataset, indices: number[][], opts: TileGridOptions): Figure {
  const h = ds.height;
  const w = ds.width;
  const ch = ds.channels;
  const rows = indices.length;
  const cols = Math.max(1, ...indices.map((r) => r.length));
  const gx = 3;
  const margin = { l: 10, r: 10, t: 50, b: 10 };
  // The label gutters are in image pixels, so they depend on the scale; a grid wider than a
  // notebook's output area (MAX_FIGURE_WIDTH) is drawn at a smaller scale instead.
  const geometry = (scale: number) => {
    const gy = opts.captions ? Math.ceil(14 / scale) : 3;
    const top = opts.colLabels ? Math.ceil(16 / scale) : 0;
    const left = opts.rowLabels ? Math.ceil(Math.max(...opts.rowLabels.map((s) => s.length)) * (7 / scale)) + 4 : 0;
    const W = cols * (w + gx) - gx;
    return { scale, gy, top, left, W, H: top + rows * (h + gy), width: Math.round((W + left) * scale) + margin.l + margin.r };
  };
  let g = geometry(opts.scale ?? 3);
  for (let i = 0; i < 4 && g.width > MAX_FIGURE_WIDTH; i++)
    g = geometry((g.scale * (MAX_FIGURE_WIDTH - margin.l - margin.r)) / (g.width - margin.l - margin.r) - 0.01);
  const { scale, gy, top, left, W, H } = g;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  indices.forEach((row, r) => {
    row.forEach((idx, c) => {
      const px = rawBatchData(ds, [idx]);
      const x0 = c * (w + gx);
      const y0 = top + r * (h + gy);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = ((y0 + y) * W + x0 + x) * 4;
          const s = (y * w + x) * ch;
          for (let k = 0; k < 3; k++) png.data[o + k] = Math.round(px[s + (ch === 1 ? 0 : k)] * 255);
          png.data[o + 3] = 255;
        }
    });
  });
  const source = `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
  const font = { size: 11, color: '#333' };
  const annotations: Array<Record<string, unknown>> = [];
  opts.colLabels?.forEach((t, c) =>
    annotations.push({
      x: c * (w + gx) + w / 2 - 0.5,
      y: top / 2 - 0.5,
      text: t,
      showarrow: false,
      font,
      xanchor: 'center',
      yanchor: 'middle',
    }),
  );
  opts.rowLabels?.forEach((t, r) =>
    annotations.push({
      x: -1.5,
      y: top + r * (h + gy) + h / 2 - 0.5,
      text: t,
      showarrow: false,
      font,
      xanchor: 'right',
      yanchor: 'middle',
    }),
  );
  opts.captions?.forEach((row, r) =>
    row.forEach((t, c) =>
      annotations.push({
        x: c * (w + gx) + w / 2 - 0.5,
        y: top + r * (h + gy) + h + gy / 2 - 0.5,
        text: t,
        showarrow: false,
        font: { size: 9, color: '#333' },
        xanchor: 'center',
        yanchor: 'middle',
      }),
    ),
  );
  return {
    data: [{ type: 'image', source, x0: 0, y0: 0, dx: 1, dy: 1, hoverinfo: 'skip', meta: opts.meta ?? {} }],
    layout: {
      title: { text: opts.title },
      width: Math.max(360, g.width),
      height: Math.round(H * scale) + margin.t + margin.b,
      margin,
      xaxis: { visible: false, range: [-0.5 - left, W - 0.5], constrain: 'domain' },
      yaxis: { visible: false, range: [H - 0.5, -0.5], scaleanchor: 'x', constrain: 'domain' },
      annotations,
      paper_bgcolor: 'white',
      plot_bgcolor: 'white',
    },
  };
}

/** --nearcomp_sup: rows are classes, columns components; each tile the image nearest that component. */
export function nearestSupFigure(ds: ImageDataset, index: number[][], value: number[][], classes?: string[]): Figure {
  return tileGridFigure(ds, index, {
    title: 'Per class: the train image with the largest |projection| on each of its top components',
    rowLabels: index.map((_, c) => `class ${classes?.[c] ?? c}`),
    colLabels: (index[0] ?? []).map((_, j) => `comp ${j}`),
    meta: { index, projection: value },
  });
}

/** --nearcomp_unsup: the `top` images nearest one component of all features, 2 rows of 5. */
export function nearestUnsupFigure(ds: ImageDataset, comp: number, index: number[], value: number[]): Figure {
  const rows = [index.slice(0, 5), index.slice(5, 10)].filter((r) => r.length > 0);
  const vals = [value.slice(0, 5), value.slice(5, 10)];
  return tileGridFigure(ds, rows, {
    title: `Component ${comp} of all features: the ${index.length} nearest train images`,
    captions: rows.map((r, k) => r.map((_, c) => `proj ${vals[k][c].toFixed(2)}`)),
    scale: 4,
    meta: { component: comp, index, projection: value },
  });
}

/** --nearcomp_class: one class, its top components as rows, the images nearest each, labelled. */
export function nearestClassFigure(ds: ImageDataset, cls: number, index: number[][], value: number[][], className?: string): Figure {
  return tileGridFigure(ds, index, {
    title: `Class ${className ?? cls}: the train images nearest each of its top ${index.length} components`,
    rowLabels: index.map((_, j) => `comp ${j}`),
    captions: value.map((r) => r.map((v) => `proj: ${v.toFixed(2)}`)),
    meta: { class: cls, index, projection: value },
  });
}
