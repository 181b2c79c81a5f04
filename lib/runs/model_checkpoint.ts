// A network's checkpoint of either kind: ours (safetensors, NHWC layouts) or PyTorch's (.pt, as the
// official code saves it), told apart by the file's extension.
import * as fs from 'node:fs';
import { readTorchCheckpoint } from '../io/torch.js';
import type { Module } from '../models/nn.js';
import { loadTorchStateDict } from '../models/torch_state.js';
import { loadTensors } from '../io/safetensors.js';

/** Whether a checkpoint file is PyTorch's (.pt / .pth) rather than ours (.safetensors). */
export function isTorchCheckpoint(file: string): boolean {
  return /\.(pt|pth)$/i.test(file);
}

/** Loads a checkpoint of either kind into the model (names and shapes checked, see Module.loadStateDict). */
export function loadModelCheckpoint(model: Module, file: string): void {
  if (isTorchCheckpoint(file)) {
    if (!fs.existsSync(file)) throw new Error(`checkpoint not found: ${file}`);
    loadTorchStateDict(model, readTorchCheckpoint(file), { where: file });
  } else model.loadStateDict(loadTensors(file).tensors, file);
}
