// After `npm install` / `npm ci` in this repository: make the package importable by its own name
// (`import ... from 'mcr2'`, as notebooks do: tslab compiles each notebook with its own folder as
// root) by linking node_modules/mcr2 to the repository, then build dist/.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const link = path.join(root, 'node_modules', 'mcr2');
try {
  const st = fs.lstatSync(link);
  if (!st.isSymbolicLink()) fs.rmSync(link, { recursive: true, force: true });
  else if (path.resolve(path.dirname(link), fs.readlinkSync(link)) !== root) fs.unlinkSync(link);
} catch {
  // not there yet
}
if (!fs.existsSync(link)) fs.symlinkSync('..', link, 'dir');
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'lib', 'tsc.js'), '-p', root], { stdio: 'inherit' });
