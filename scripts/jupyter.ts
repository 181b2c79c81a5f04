// Finding (and, for tests, installing) what executes notebooks: Jupyter's nbconvert with nbclient,
// and the tslab kernel registered to this checkout's tslab.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const JUPYTER_APT = ['jupyter-nbconvert', 'python3-nbclient', 'jupyter-client', 'python3-ipython'];

/** The classic Notebook server (the live browser test, test/notebook_live.test.ts). */
export const NOTEBOOK_APT = 'jupyter-notebook';
export const NOTEBOOK_EXE = '/usr/bin/jupyter-notebook';

function ok(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(d, cmd);
    if (d && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** A Python that can run Jupyter (Debian's first: the python3 first on PATH may be another one). */
export function jupyterPython(): string | undefined {
  for (const py of ['/usr/bin/python3', which('python3')]) {
    if (py && ok(py, ['-c', 'import jupyter_client, nbclient, nbconvert'])) return py;
  }
  return undefined;
}

export function jupyterExe(): string | undefined {
  const exe = ['/usr/bin/jupyter', which('jupyter')].find((p): p is string => p !== undefined && fs.existsSync(p));
  return exe !== undefined && ok(exe, ['nbconvert', '--version']) ? exe : undefined;
}

export function tslabBinary(root: string): string {
  return path.join(root, 'node_modules', '.bin', 'tslab');
}

/** The registered tslab kernel's command, if any. */
export function tslabKernelArgv(exe: string): string[] | undefined {
  const r = spawnSync(exe, ['kernelspec', 'list', '--json'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  try {
    const specs = JSON.parse(r.stdout).kernelspecs as Record<string, { spec: { argv: string[] } }>;
    return specs.tslab?.spec.argv;
  } catch {
    return undefined;
  }
}

export function registerTslab(root: string, python: string): string | undefined {
  const args = ['install', `--python=${python}`, `--binary=${tslabBinary(root)}`];
  if (process.getuid?.() !== 0) args.push('--user');
  const r = spawnSync(tslabBinary(root), args, { encoding: 'utf8' });
  return r.status === 0 ? undefined : `tslab install failed: ${r.stderr || r.stdout}`;
}

export interface JupyterCheck {
  exe?: string;
  problem?: string;
}

/** Is everything there to execute notebooks? (Does not install anything.) */
export function checkJupyter(root: string): JupyterCheck {
  const exe = jupyterExe();
  if (exe === undefined || jupyterPython() === undefined) {
    return {
      problem: `Jupyter with nbconvert/nbclient is needed to run notebooks. On Debian/Ubuntu:\n  sudo apt-get install -y --no-install-recommends ${JUPYTER_APT.join(' ')}`,
    };
  }
  const argv = tslabKernelArgv(exe);
  if (argv === undefined || !fs.existsSync(argv[0])) {
    return {
      exe,
      problem: `the tslab kernel is not registered${argv ? ` (it points to a missing ${argv[0]})` : ''}. Run:\n  ${tslabBinary(root)} install --python=${jupyterPython()} --binary=${tslabBinary(root)}${process.getuid?.() !== 0 ? ' --user' : ''}`,
    };
  }
  return { exe };
}
