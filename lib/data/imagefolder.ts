// Users' own images: root/<class>/*.{png,jpg,jpeg} (or root/<split>/<class>/...), read from a
// folder or straight from a .tar / .tar.gz of one. Classes are the sorted folder names (as
// torchvision's ImageFolder) unless a class list is given; files are sorted within a class and the
// classes interleaved.
// JPEG and PNG are decoded in pure JS (jpeg-js, pngjs); every image must have the same size.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBytes } from '../io/files.js';
import type { ImageDataset, Split } from './dataset.js';
import { tarEntries } from './tar.js';

const IMAGE_EXT = /\.(png|jpe?g)$/i;

export interface ImageFolderOptions {
  /** Dataset name to report (default 'imagefolder'). */
  name?: string;
  /** Class names in label order; folders must be among them (default: sorted folder names). */
  classes?: string[];
}

interface RawImage {
  cls: string;
  file: string;
  bytes: Uint8Array;
}

export function isArchive(p: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/i.test(p);
}

/** Files of split (or of the whole tree) as [class, file, bytes], from a folder or an archive. */
function collect(root: string, split: Split | undefined): RawImage[] {
  const out: RawImage[] = [];
  if (isArchive(root)) {
    for (const e of tarEntries(readBytes(root), root)) {
      if (!IMAGE_EXT.test(e.path)) continue;
      const parts = e.path.split('/').filter((s) => s !== '' && s !== '.');
      if (parts.length < 2) continue;
      if (split !== undefined && parts[parts.length - 3] !== split) continue;
      out.push({ cls: parts[parts.length - 2], file: `${root}:${e.path}`, bytes: e.data });
    }
    return out;
  }
  const base = split !== undefined && fs.existsSync(path.join(root, split)) ? path.join(root, split) : root;
  for (const cls of fs.readdirSync(base).sort()) {
    const dir = path.join(base, cls);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (IMAGE_EXT.test(f)) out.push({ cls, file: path.join(dir, f), bytes: readBytes(path.join(dir, f)) });
    }
  }
  return out;
}

/** Largest image decoded (megapixels): a header claiming more is refused before any allocation. */
export const MAX_IMAGE_MP = 64;

/**
 * Pixels a file of this many bytes can plausibly hold: JPEG needs at least ~2 bits per 8x8 block
 * (~170 pixels a byte), PNG's deflate at most 1032:1 of 1-bit pixels (~8,300 pixels a byte). A
 * header claiming far more is corrupt, and is refused before the decoder allocates for it.
 */
const PIXELS_PER_BYTE = { JPEG: 1024, PNG: 8 * 1032 };

function checkSize(kind: 'PNG' | 'JPEG', w: number, h: number, bytes: number): void {
  if (w === 0 || h === 0 || w * h > MAX_IMAGE_MP * 1e6)
    throw new Error(`${kind} header says ${w}x${h}; at most ${MAX_IMAGE_MP} megapixels are read`);
  if (w * h > PIXELS_PER_BYTE[kind] * bytes) throw new Error(`${kind} header says ${w}x${h}, more than ${bytes} bytes can hold (corrupt)`);
}

/** Width and height from a JPEG's frame header (SOF0..SOF15 but DHT, JPG, DAC), or undefined. */
function jpegSize(b: Uint8Array): { w: number; h: number } | undefined {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const m = b[p + 1];
    if (m === 0xff) {
      p++;
      continue;
    }
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      p += 2;
      continue;
    }
    const len = (b[p + 2] << 8) | b[p + 3];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
      return { h: (b[p + 5] << 8) | b[p + 6], w: (b[p + 7] << 8) | b[p + 8] };
    if (m === 0xda || len < 2) return undefined;
    p += 2 + len;
  }
  return undefined;
}

/** Decoded RGB pixels of one image. */
export function decodeImage(bytes: Uint8Array, file: string): { width: number; height: number; rgb: Uint8Array } {
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      // IHDR comes first: width and height (big-endian) at bytes 16 and 20.
      if (bytes.length < 33) throw new Error(`truncated PNG (${bytes.length} bytes)`);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const w = v.getUint32(16, false);
      const h = v.getUint32(20, false);
      checkSize('PNG', w, h, bytes.length);
      const { PNG } = require('pngjs') as typeof import('pngjs');
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const rgb = new Uint8Array(png.width * png.height * 3);
      for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
        rgb[i] = png.data[j];
        rgb[i + 1] = png.data[j + 1];
        rgb[i + 2] = png.data[j + 2];
      }
      return { width: png.width, height: png.height, rgb };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const size = jpegSize(bytes);
      if (size !== undefined) checkSize('JPEG', size.w, size.h, bytes.length);
      const jpeg = require('jpeg-js') as typeof import('jpeg-js');
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_MP, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, rgb: img.data };
    }
  } catch (e) {
    throw new Error(`${file}: cannot decode image (${(e as Error).message})`);
  }
  throw new Error(`${file}: not a PNG or JPEG file`);
}

/** An image-folder dataset; split selects root/<split>/ when the tree has one. */
// The last few archives read, by path, split, options and the file's size, inode and mtime: a
// notebook reads the same 60,000 JPEGs many times (training, each evaluation), and decoding them is
// most of the time. Only archives of over 1 MB (real datasets; a folder's own mtime does not follow
// its files).
const recent = new Map<string, ImageDataset>();
const RECENT_MAX = 4;
const CACHE_MIN_BYTES = 1 << 20;

export function loadImageFolder(root: string, split: Split | undefined, opts: ImageFolderOptions = {}): ImageDataset {
  if (!fs.existsSync(root)) throw new Error(`image folder ${root} does not exist`);
  const st = fs.statSync(root);
  if (!st.isFile() || st.size < CACHE_MIN_BYTES) return readImageFolder(root, split, opts);
  const key = JSON.stringify([path.resolve(root), split ?? null, opts, st.size, st.ino, st.mtimeMs]);
  let ds = recent.get(key);
  if (ds === undefined) {
    ds = readImageFolder(root, split, opts);
    recent.set(key, ds);
    if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  }
  // Callers own their labels (label corruption writes them); the pixels are shared, read-only.
  return { ...ds, labels: ds.labels.slice() };
}

function readImageFolder(root: string, split: Split | undefined, opts: ImageFolderOptions): ImageDataset {
  const raw = collect(root, split);
  if (raw.length === 0) {
    throw new Error(
      `${root}: no images found (expected ${split ? `${split}/` : ''}<class>/*.png|jpg${isArchive(root) ? ' inside the archive' : ''})`,
    );
  }
  const classes = opts.classes ?? [...new Set(raw.map((r) => r.cls))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  // Files sorted within each class (archives list them in any order), then the classes taken in
  // turn (class 0's first image, class 1's first, ..., class 0's second, ...): any prefix of the
  // dataset (--subset, the self-supervised sampler's in-order batches) covers every class.
  raw.sort((a, b) => (index.get(a.cls) ?? -1) - (index.get(b.cls) ?? -1) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const rank = new Map<RawImage, number>();
  const seen = new Map<string, number>();
  for (const r of raw) {
    const k = seen.get(r.cls) ?? 0;
    seen.set(r.cls, k + 1);
    rank.set(r, k);
  }
  raw.sort((a, b) => rank.get(a)! - rank.get(b)! || (index.get(a.cls) ?? -1) - (index.get(b.cls) ?? -1));
  let width = 0;
  let height = 0;
  let images = new Uint8Array(0);
  const labels = new Int32Array(raw.length);
  raw.forEach((r, i) => {
    const label = index.get(r.cls);
    if (label === undefined) throw new Error(`${r.file}: folder '${r.cls}' is not one of the classes ${classes.join(', ')}`);
    const img = decodeImage(r.bytes, r.file);
    if (i === 0) {
      width = img.width;
      height = img.height;
      try {
        images = new Uint8Array(raw.length * width * height * 3);
      } catch {
        throw new Error(
          `${root}: ${raw.length} images of ${width}x${height} need ${((raw.length * width * height * 3) / 2 ** 30).toFixed(1)} GiB; too large to hold`,
        );
      }
    } else if (img.width !== width || img.height !== height) {
      throw new Error(`${r.file}: ${img.width}x${img.height}, but the other images are ${width}x${height}`);
    }
    images.set(img.rgb, i * width * height * 3);
    labels[i] = label;
  });
  return {
    name: opts.name ?? 'imagefolder',
    split: split ?? 'train',
    images,
    labels,
    n: raw.length,
    height,
    width,
    channels: 3,
    numClasses: classes.length,
    classes,
    source: root,
  };
}
