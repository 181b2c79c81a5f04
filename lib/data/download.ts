// `mcr2 download <dataset>`: fetches the official files, checks their MD5 against the published
// checksums, unpacks archives into --data_dir, where the loaders look for them. Needs internet.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { displayPath } from '../io/paths.js';
import { ProgressBar } from '../io/progress.js';
import { CIFAR_URLS } from './cifar.js';
import { STL10_URL } from './stl10.js';
import { extractTar } from './tar.js';

export interface Resource {
  url: string;
  md5: string;
  /** Folder under data_dir the file goes to (archives are unpacked in data_dir itself). */
  dir: string;
  archive: boolean;
}

const MNIST_BASE = 'https://ossci-datasets.s3.amazonaws.com/mnist/';
const FASHION_BASE = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
const idx = (base: string, dir: string, sums: string[]): Resource[] =>
  ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f, i) => ({
    url: base + f,
    md5: sums[i],
    dir,
    archive: false,
  }));

export const RESOURCES: Record<string, Resource[]> = {
  mnist: idx(MNIST_BASE, 'mnist', [
    'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    'd53e105ee54ea40749a09fcbcd1e9432',
    '9fb629c4189551a2d022fa330f9573f3',
    'ec29112dd5afa0611ce80d1b7f02629c',
  ]),
  fashionmnist: idx(FASHION_BASE, 'fashionmnist', [
    '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    '25c81989df183df01b3e8a0aad5dffbe',
    'bef4ecab320f06d8554ea6380940ec79',
    'bb300cfdad3c16e7a12a480ee83cd310',
  ]),
  cifar10: [{ url: CIFAR_URLS.cifar10.url, md5: CIFAR_URLS.cifar10.md5, dir: '.', archive: true }],
  cifar100: [{ url: CIFAR_URLS.cifar100.url, md5: CIFAR_URLS.cifar100.md5, dir: '.', archive: true }],
  stl10: [{ url: STL10_URL.url, md5: STL10_URL.md5, dir: '.', archive: true }],
};
RESOURCES.cifar100coarse = RESOURCES.cifar100;
RESOURCES.stl10sup = RESOURCES.stl10;

export function md5File(file: string): string {
  const h = crypto.createHash('md5');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Streams url to dest (via dest.part), following redirects; verifies the MD5; never leaves a partial file as dest. */
export async function downloadFile(url: string, dest: string, md5: string, progress = true): Promise<void> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const get = (u: string, hops: number): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const lib = u.startsWith('https:') ? https : http;
      const req = lib.get(u, (res) => {
        const loc = res.headers.location;
        if (res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && loc) {
          res.resume();
          if (hops > 5) reject(new Error(`${url}: too many redirects`));
          else resolve(get(new URL(loc, u).toString(), hops + 1));
        } else if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`${u}: HTTP ${res.statusCode}`));
        } else {
          resolve(res);
        }
      });
      req.on('error', (e) =>
        reject(
          new Error(
            `cannot download ${u} (${(e as NodeJS.ErrnoException).code ?? e.message}); ` +
              `if this machine is offline, fetch it elsewhere and put it in ${path.dirname(dest)}`,
          ),
        ),
      );
    });
  const res = await get(url, 0);
  const total = Number(res.headers['content-length'] ?? 0);
  const bar = new ProgressBar(total > 0 ? Math.ceil(total / 1e6) : 0, path.basename(dest), progress && total > 0);
  const hash = crypto.createHash('md5');
  const out = fs.createWriteStream(part);
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      hash.update(c);
      got += c.length;
      bar.update(Math.floor(got / 1e6), `${(got / 1e6).toFixed(0)} MB`);
    });
    res.on('error', reject);
    out.on('error', reject);
    out.on('finish', () => resolve());
    res.pipe(out);
  });
  bar.done();
  const sum = hash.digest('hex');
  if (sum !== md5) {
    fs.rmSync(part, { force: true });
    throw new Error(`${url}: checksum mismatch (MD5 ${sum}, expected ${md5}); the download is corrupt or the file changed upstream`);
  }
  fs.renameSync(part, dest);
}

/** Downloads (unless already there with the right checksum) and unpacks a dataset's files. */
export async function downloadDataset(name: string, dataDir: string, log: (s: string) => void = console.log): Promise<void> {
  const res = RESOURCES[name.toLowerCase()];
  if (res === undefined) throw new Error(`no download for '${name}'; datasets: ${Object.keys(RESOURCES).join(', ')}`);
  for (const r of res) {
    const dest = path.join(dataDir, r.dir, path.basename(new URL(r.url).pathname));
    if (fs.existsSync(dest) && md5File(dest) === r.md5) {
      log(`${displayPath(dest)}: already downloaded (MD5 ok)`);
    } else {
      log(`downloading ${r.url}`);
      await downloadFile(r.url, dest, r.md5);
      log(`${displayPath(dest)}: MD5 ok`);
    }
    if (r.archive) {
      const files = await extractTar(dest, path.join(dataDir, r.dir));
      log(`unpacked ${files.length} files into ${displayPath(path.join(dataDir, r.dir))}`);
    }
  }
}
