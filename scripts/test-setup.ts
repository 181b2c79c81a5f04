// Runs before `npm run test:all` (the full tier): brings what its tests need, or stops at once with the exact command.
//   Jupyter (nbconvert, nbclient) and the tslab kernel: the notebook test executes 01_supervised.
//   The classic Notebook server (jupyter-notebook): a notebook is run cell by cell in Chromium.
//   Chromium: figures are rendered to PNG by headless Chromium.
//   Fashion-MNIST (Debian dataset-fashion-mnist): the loader is tested on the real files.
// As root on Debian/Ubuntu missing packages are installed with apt-get; otherwise the command is
// printed and the tests do not start.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { findChromium } from '../lib/plot/render.js';
import { packageRoot } from '../lib/io/paths.js';
import { JUPYTER_APT, jupyterExe, jupyterPython, NOTEBOOK_APT, NOTEBOOK_EXE, registerTslab, tslabKernelArgv } from './jupyter.js';

function missingPackages(): string[] {
  const pkgs: string[] = [];
  if (jupyterExe() === undefined || jupyterPython() === undefined) pkgs.push(...JUPYTER_APT);
  if (!fs.existsSync(NOTEBOOK_EXE)) pkgs.push(NOTEBOOK_APT);
  if (findChromium() === undefined) pkgs.push('chromium');
  if (!fs.existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')) pkgs.push('dataset-fashion-mnist');
  return pkgs;
}

function main(): number {
  const root = packageRoot();
  const pkgs = missingPackages();
  if (pkgs.length > 0) {
    const cmd = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
    const canApt = process.getuid?.() === 0 && fs.existsSync('/etc/debian_version');
    if (!canApt) {
      console.error(`The tests need: ${pkgs.join(', ')}. Install them with:\n  sudo sh -c '${cmd}'`);
      return 1;
    }
    console.log(`test setup: installing ${pkgs.join(' ')}`);
    const r = spawnSync('sh', ['-c', cmd], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) {
      console.error(`test setup: apt-get failed; run yourself:\n  ${cmd}`);
      return 1;
    }
  }
  const exe = jupyterExe()!;
  const argv = tslabKernelArgv(exe);
  if (argv === undefined || !fs.existsSync(argv[0])) {
    console.log('test setup: registering the tslab kernel');
    const err = registerTslab(root, jupyterPython()!);
    if (err) {
      console.error(`test setup: ${err}`);
      return 1;
    }
  }
  return 0;
}

process.exit(main());
