// ReduNet's figures as plotly specs (the official plot.py's plot_combined_loss, plot_2d, plot_3d):
// R, Rᶜ and ΔR per layer for several sets, and points on the circle or the sphere, one panel per
// stage (before, after some layers, after the last).
import { baseLayout, COLORS, type Figure } from '../plot/figure.js';
import type { LayerLoss } from './layer.js';

/** plot.py's class colours: plot_2d's, and plot_3d's (three classes). */
export const CLASS_COLORS_2D = ['forestgreen', 'red', 'royalblue', 'purple', 'darkblue', 'orange'] as const;
export const CLASS_COLORS_3D = ['forestgreen', 'royalblue', 'brown', 'purple', 'darkblue', 'orange'] as const;

const DASHES = ['solid', 'dash', 'dot', 'dashdot'] as const;

/**
 * plot_combined_loss: ΔR (green), R (royal blue), Rᶜ (coral) after each layer, one line style per
 * set (the first solid, the second dashed, ...). x: the layer (1 = after the first), on a log
 * scale with `logLayers` (most of the change is in the first layers of thousands).
 */
export function layerLossFigure(sets: Record<string, LayerLoss[]>, opts: { title?: string; logLayers?: boolean } = {}): Figure {
  const data: Array<Record<string, unknown>> = [];
  Object.entries(sets).forEach(([name, rows], s) => {
    const x = rows.map((_, i) => i + 1);
    const line = (term: string, y: number[], color: string) => ({
      type: 'scatter',
      mode: 'lines',
      name: `${term} (${name})`,
      x,
      y,
      line: { color, width: 2, dash: DASHES[s % DASHES.length] },
      opacity: s === 0 ? 0.9 : 0.7,
    });
    data.push(
      line(
        'ΔR',
        rows.map((r) => r.deltaR),
        COLORS.deltaR,
      ),
      line(
        'R',
        rows.map((r) => r.R),
        COLORS.R,
      ),
      line(
        'R<sup>c</sup>',
        rows.map((r) => r.Rc),
        COLORS.Rc,
      ),
    );
  });
  const layout = baseLayout(opts.title ?? 'rate reduction per layer', opts.logLayers ? 'layer (log scale)' : 'layer', 'coding rate (nats)');
  if (opts.logLayers) layout.xaxis = { ...(layout.xaxis as object), type: 'log' };
  // More than two sets: the legend (three lines a set) in a column on the right.
  if (Object.keys(sets).length > 2) Object.assign(layout, { legend: { orientation: 'v', x: 1.02, y: 1 }, width: 900 });
  return { data, layout };
}

/** One panel of {@link pointsFigure}. */
export interface PointsPanel {
  title: string;
  /** n rows of 2 or 3 numbers. */
  features: Float64Array | Float32Array;
  labels: ArrayLike<number>;
}

/**
 * plot_2d / plot_3d: the points of each panel on the unit circle (2-D) or sphere (3-D, drawn as a
 * wireframe, viewed as plot_3d's view_init(20, 15)), coloured by class, an arrow from the origin to
 * the first point of each class (the official's); panels side by side.
 */
export function pointsFigure(panels: PointsPanel[], dim: 2 | 3, title = ''): Figure {
  const colors = dim === 2 ? CLASS_COLORS_2D : CLASS_COLORS_3D;
  const P = panels.length;
  const gap = 0.03;
  const width = (1 - gap * (P - 1)) / P;
  // At most 960 px wide (a notebook's output area), each panel about square.
  const px = Math.min(960, (dim === 2 ? 260 : 320) * P);
  const data: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = {
    title: { text: title },
    template: 'plotly_white',
    paper_bgcolor: 'white',
    plot_bgcolor: 'white',
    width: Math.max(420, px),
    height: Math.round(Math.max(420, px) / P) + (dim === 2 ? 90 : 60),
    showlegend: false,
    margin: { l: 30, r: 20, t: 80, b: 30 },
    annotations: [] as unknown[],
  };
  const notes = layout.annotations as unknown[];
  panels.forEach((panel, p) => {
    const n = panel.labels.length;
    const x0 = p * (width + gap);
    const classes = [...new Set(Array.from(panel.labels))].sort((a, b) => a - b);
    const first = classes.map((c) => Array.from(panel.labels).indexOf(c));
    const at = (i: number, j: number) => panel.features[i * dim + j];
    notes.push({ text: panel.title, x: x0 + width / 2, y: 1.04, xref: 'paper', yref: 'paper', showarrow: false, font: { size: 13 } });
    if (dim === 2) {
      const suffix = p === 0 ? '' : String(p + 1);
      const ax = { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
      const circle = Array.from({ length: 121 }, (_, t) => (2 * Math.PI * t) / 120);
      data.push({
        type: 'scatter',
        mode: 'lines',
        ...ax,
        x: circle.map(Math.cos),
        y: circle.map(Math.sin),
        line: { color: '#bbb', width: 1 },
        hoverinfo: 'skip',
      });
      for (const c of classes) {
        const idx = Array.from({ length: n }, (_, i) => i).filter((i) => panel.labels[i] === c);
        data.push({
          type: 'scatter',
          mode: 'markers',
          ...ax,
          name: `class ${c}`,
          x: idx.map((i) => at(i, 0)),
          y: idx.map((i) => at(i, 1)),
          marker: { color: colors[c % colors.length], size: 5, opacity: 0.5 },
        });
      }
      for (const i of first) {
        notes.push({
          x: at(i, 0),
          y: at(i, 1),
          ax: 0,
          ay: 0,
          axref: ax.xaxis,
          ayref: ax.yaxis,
          xref: ax.xaxis,
          yref: ax.yaxis,
          showarrow: true,
          arrowhead: 2,
          arrowwidth: 1.5,
          text: '',
        });
      }
      data.push({
        type: 'scatter',
        mode: 'markers',
        ...ax,
        x: [0],
        y: [0],
        marker: { color: 'black', symbol: 'square', size: 7 },
        hoverinfo: 'skip',
      });
      const axis = { range: [-1.2, 1.2], tickvals: [-1, -0.5, 0, 0.5, 1], zeroline: false, showgrid: true, gridcolor: '#eee' };
      layout[`xaxis${suffix}`] = { ...axis, domain: [x0, x0 + width], anchor: ax.yaxis };
      layout[`yaxis${suffix}`] = { ...axis, anchor: ax.xaxis, scaleanchor: ax.xaxis };
    } else {
      const scene = p === 0 ? 'scene' : `scene${p + 1}`;
      // The sphere as a wireframe of meridians and parallels.
      const wire: { x: (number | null)[]; y: (number | null)[]; z: (number | null)[] } = { x: [], y: [], z: [] };
      const push = (pts: Array<[number, number, number]>) => {
        for (const [a, b, c] of pts) {
          wire.x.push(a);
          wire.y.push(b);
          wire.z.push(c);
        }
        wire.x.push(null);
        wire.y.push(null);
        wire.z.push(null);
      };
      const t = Array.from({ length: 61 }, (_, k) => (2 * Math.PI * k) / 60);
      for (let m = 0; m < 12; m++) {
        const u = (2 * Math.PI * m) / 12;
        push(t.slice(0, 31).map((v) => [Math.cos(u) * Math.sin(v), Math.sin(u) * Math.sin(v), Math.cos(v)]));
      }
      for (let q = 1; q < 6; q++) {
        const v = (Math.PI * q) / 6;
        push(t.map((u) => [Math.cos(u) * Math.sin(v), Math.sin(u) * Math.sin(v), Math.cos(v)]));
      }
      data.push({ type: 'scatter3d', mode: 'lines', scene, ...wire, line: { color: '#ccc', width: 1 }, hoverinfo: 'skip' });
      for (const c of classes) {
        const idx = Array.from({ length: n }, (_, i) => i).filter((i) => panel.labels[i] === c);
        data.push({
          type: 'scatter3d',
          mode: 'markers',
          scene,
          name: `class ${c}`,
          x: idx.map((i) => at(i, 0)),
          y: idx.map((i) => at(i, 1)),
          z: idx.map((i) => at(i, 2)),
          marker: { color: colors[c % colors.length], size: 3, opacity: 0.8 },
        });
      }
      for (const i of first)
        data.push({
          type: 'scatter3d',
          mode: 'lines',
          scene,
          x: [0, at(i, 0)],
          y: [0, at(i, 1)],
          z: [0, at(i, 2)],
          line: { color: 'black', width: 4 },
          hoverinfo: 'skip',
        });
      // matplotlib's view_init(elev 20°, azim 15°).
      const el = (20 * Math.PI) / 180;
      const az = (15 * Math.PI) / 180;
      const r = 1.9;
      const axis = { range: [-1.1, 1.1], visible: false };
      layout[scene] = {
        domain: { x: [x0, x0 + width], y: [0, 0.95] },
        aspectmode: 'cube',
        xaxis: axis,
        yaxis: axis,
        zaxis: axis,
        camera: { eye: { x: r * Math.cos(el) * Math.cos(az), y: r * Math.cos(el) * Math.sin(az), z: r * Math.sin(el) } },
      };
    }
  });
  return { data, layout };
}
