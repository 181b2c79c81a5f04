// mcr2.math: numpy's RandomState (bit-exact) and a float64 symmetric eigensolver.
export { RandomState } from '../math/random.js';
export { symmetricEigen, type SymmetricEigen } from '../math/linalg.js';
