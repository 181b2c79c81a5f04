// mcr2.backend: which tfjs backend computes, and why.
export { initBackend, backendInfo, describeBackend, type BackendInfo, type BackendName } from '../backend/backend.js';
