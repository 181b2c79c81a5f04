// mcr2.accel: the speed floor as users see it: which tfjs backend computes, and why.
export { initBackend, backendInfo, describeBackend, type BackendInfo, type BackendName } from '../accel/backend.js';
export { probeAdapter, type AdapterSummary } from '../accel/webgpu.js';
