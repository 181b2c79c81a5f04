// After `npm install` / `npm ci` in this repository: build dist/ (the package's own entry points,
// which notebooks import as 'mcr2' through the "mcr2": "file:." self-dependency).
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'lib', 'tsc.js'), '-p', root], { stdio: 'inherit' });
