// Linear sum assignment (the Hungarian problem) by shortest augmenting paths, the Jonker–Volgenant
// scheme that scipy's linear_sum_assignment also uses: one Dijkstra-like search per row over reduced
// costs, dual potentials kept so that reduced costs stay non-negative. O(n²m) for n ≤ m.

export interface Assignment {
  /** Row indices, ascending (every row when rows ≤ columns, otherwise the assigned ones). */
  rows: Int32Array;
  /** cols[i] is the column given to rows[i]. */
  cols: Int32Array;
  /** Sum of the chosen costs. */
  cost: number;
}

/**
 * Minimum-cost assignment for a row-major nRows x nCols cost matrix (rectangular allowed: each row
 * or each column, whichever are fewer, gets exactly one partner). `maximize` flips the objective.
 */
export function linearSumAssignment(cost: ArrayLike<number>, nRows: number, nCols: number, opts: { maximize?: boolean } = {}): Assignment {
  if (!(Number.isInteger(nRows) && nRows >= 0 && Number.isInteger(nCols) && nCols >= 0)) {
    throw new Error(`linearSumAssignment: bad shape ${nRows} x ${nCols}`);
  }
  if (cost.length !== nRows * nCols) throw new Error(`linearSumAssignment: ${cost.length} costs for a ${nRows} x ${nCols} matrix`);
  const sign = opts.maximize ? -1 : 1;
  // Work on the orientation with rows ≤ columns.
  const transpose = nRows > nCols;
  const n = transpose ? nCols : nRows;
  const m = transpose ? nRows : nCols;
  const c = new Float64Array(n * m);
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nCols; j++) {
      // +Inf (after the sign flip) marks a forbidden pair; NaN and -Inf have no meaning.
      const v = sign * cost[i * nCols + j];
      if (Number.isNaN(v) || v === -Infinity) throw new Error(`linearSumAssignment: cost[${i}][${j}] is ${cost[i * nCols + j]}`);
      if (transpose) c[j * m + i] = v;
      else c[i * m + j] = v;
    }
  }
  const col4row = solve(c, n, m);
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  let total = 0;
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      rows[i] = i;
      cols[i] = col4row[i];
      total += cost[i * nCols + col4row[i]];
    }
  } else {
    // Report in the caller's orientation, sorted by row.
    const pairs = Array.from({ length: n }, (_, j) => [col4row[j], j] as const).sort((a, b) => a[0] - b[0]);
    pairs.forEach(([r, col], k) => {
      rows[k] = r;
      cols[k] = col;
      total += cost[r * nCols + col];
    });
  }
  return { rows, cols, cost: total };
}

// n ≤ m. Returns the column of each row.
function solve(c: Float64Array, n: number, m: number): Int32Array {
  const u = new Float64Array(n);
  const v = new Float64Array(m);
  const dist = new Float64Array(m); // shortest reduced path cost to each column
  const path = new Int32Array(m); // previous row on the path to each column
  const col4row = new Int32Array(n).fill(-1);
  const row4col = new Int32Array(m).fill(-1);
  const scannedRow = new Uint8Array(n);
  const scannedCol = new Uint8Array(m);
  const remaining = new Int32Array(m);
  for (let cur = 0; cur < n; cur++) {
    dist.fill(Infinity);
    path.fill(-1);
    scannedRow.fill(0);
    scannedCol.fill(0);
    // Scan columns in reverse order, as scipy does, so that ties resolve the same way.
    for (let j = 0; j < m; j++) remaining[j] = m - 1 - j;
    let nRemaining = m;
    let minVal = 0;
    let i = cur;
    let sink = -1;
    while (sink === -1) {
      scannedRow[i] = 1;
      let lowest = Infinity;
      let index = -1;
      const ui = u[i];
      const ri = i * m;
      for (let it = 0; it < nRemaining; it++) {
        const j = remaining[it];
        const r = minVal + c[ri + j] - ui - v[j];
        if (r < dist[j]) {
          path[j] = i;
          dist[j] = r;
        }
        // Prefer an unassigned column on ties: the path ends there.
        if (dist[j] < lowest || (dist[j] === lowest && row4col[j] === -1)) {
          lowest = dist[j];
          index = it;
        }
      }
      minVal = lowest;
      if (minVal === Infinity || index < 0) throw new Error('linearSumAssignment: no feasible assignment (infinite costs)');
      const j = remaining[index];
      if (row4col[j] === -1) sink = j;
      else i = row4col[j];
      scannedCol[j] = 1;
      remaining[index] = remaining[--nRemaining];
    }
    // Update the dual potentials.
    u[cur] += minVal;
    for (let r = 0; r < n; r++) if (scannedRow[r] && r !== cur) u[r] += minVal - dist[col4row[r]];
    for (let j = 0; j < m; j++) if (scannedCol[j]) v[j] -= minVal - dist[j];
    // Augment along the path back to the current row.
    let j = sink;
    for (;;) {
      const r = path[j];
      row4col[j] = r;
      const prev = col4row[r];
      col4row[r] = j;
      j = prev;
      if (r === cur) break;
    }
  }
  return col4row;
}
