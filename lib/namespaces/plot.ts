// mcr2.plot: figures (plotly specs) of every plot.py flag, confusion matrices (clusterings
// Hungarian-matched), comparisons, saving as PNG/HTML/JSON, display in a notebook. The numbers behind
// the feature figures are mcr2.features; plot.py and generate.py on a run folder are mcr2.runs.
export {
  lossFigure,
  lossLogFigure,
  trainTestFigure,
  accuracyCurveFigure,
  accuracyFigure,
  epochMeans,
  COLORS,
  BLUES,
  type Figure,
  type AccuracyRow,
} from '../plot/figure.js';
export { confusionFigure, clusteringConfusionFigure, type ClusteringConfusion } from '../plot/confusion.js';
export { sideBySideFigure, clusteringPairFigure, seriesFigure, type NamedClustering } from '../plot/compare.js';
export { pcaFigure, pcaEpochFigure, cosineHistogramFigure, heatmapFigure } from '../plot/feature_figures.js';
export { tileGridFigure, nearestSupFigure, nearestUnsupFigure, nearestClassFigure, type TileGridOptions } from '../plot/nearest.js';
export { augmentationGrid, imageGridFigure, type AugmentGridOptions } from '../plot/grid.js';
export { saveFigure, type SavedFigure } from '../plot/render.js';
export { showFigure, showTable, type TableRows, type TableLike } from '../plot/display.js';
