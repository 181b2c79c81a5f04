// mcr2.plot: figures (plotly specs), saving them as HTML and PNG, showing them in a notebook.
export { lossFigure, confusionFigure, accuracyFigure, COLORS, type Figure } from '../plot/figure.js';
export { augmentationGrid, imageGridFigure, type AugmentGridOptions } from '../plot/grid.js';
export { saveFigure, figureHtml, figurePng, closeRenderer, type SavedFigure } from '../plot/render.js';
export { showFigure, showTable } from '../plot/notebook.js';
