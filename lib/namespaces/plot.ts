// mcr2.plot: figures (plotly specs) of every plot.py flag and the numbers behind them, generate.py,
// confusion matrices (clusterings Hungarian-matched), saving as PNG/HTML/JSON, notebook display.
export {
  lossFigure,
  lossLogFigure,
  trainTestFigure,
  accuracyCurveFigure,
  accuracyFigure,
  epochMeans,
  figureTitle,
  COLORS,
  BLUES,
  bluesAt,
  type Figure,
  type AccuracyRow,
} from '../plot/figure.js';
export { confusionFigure, clusteringConfusionFigure, saveClusteringConfusion, type ClusteringConfusion } from '../plot/confusion.js';
export { pcaFigure, pcaEpochFigure, cosineHistogramFigure, heatmapFigure } from '../plot/feature_figures.js';
export { tileGridFigure, nearestSupFigure, nearestUnsupFigure, nearestClassFigure, type TileGridOptions } from '../plot/nearest.js';
export {
  sortByClass,
  gatherRows,
  singularValues,
  topComponents,
  projections,
  topAbs,
  classSingularValues,
  histogram,
  cosineHistograms,
  absGramGrid,
  nearestPerComponent,
  nearestToComponents,
  movingAverage,
  type ClassOrder,
  type ClassSpectra,
  type Histogram,
  type PairHistogram,
  type HeatGrid,
  type GramOptions,
} from '../plot/data.js';
export {
  generateTestLosses,
  generateAccuracy,
  parseAccuracyCsv,
  readAccuracyCsv,
  ACCURACY_HEADER,
  type GenerateOptions,
} from '../runs/generate.js';
export { plotRun, PLOT_NAMES, PCA_EPOCHS, type PlotName, type PlotRunOptions, type PlotRunResult } from '../runs/plot.js';
export { augmentationGrid, imageGridFigure, type AugmentGridOptions } from '../plot/grid.js';
export { saveFigure, figureHtml, figurePng, closeRenderer, plotlyBundle, type SavedFigure } from '../plot/render.js';
export { showFigure, showTable, figureCellHtml, type TableRows } from '../plot/notebook.js';
export { sideBySideFigure, clusteringPairFigure, seriesFigure, type NamedClustering } from '../plot/compare.js';
