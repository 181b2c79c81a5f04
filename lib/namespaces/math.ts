// mcr2.math: numpy's RandomState (bit-exact) and the float64 linear algebra the loss uses.
export { RandomState } from '../math/random.js';
export { cholesky, logdetFromCholesky, inverseFromCholesky, symmetricEigen, type SymmetricEigen } from '../math/linalg.js';
