// Stands in for SheetJS `xlsx` (0.18.5 on the npm registry carries CVE-2023-30533 and CVE-2024-22363;
// the fixed releases are not published there). danfojs-node requires it at startup and calls
// read/readFile/writeFile/utils.* only in readExcel/toExcel: every one of them throws.
'use strict';
const message = 'Excel files are not supported in mcr2 (its install replaces SheetJS xlsx, whose npm releases carry CVE-2023-30533 and CVE-2024-22363): save the sheet as CSV and use readCSV';
function unsupported() {
  throw new Error(message);
}
// Any other property is a function that throws, but for what module loaders ask (__esModule, then).
const anyName = (target) =>
  new Proxy(target, { get: (t, k) => (k === '__esModule' || k === 'then' ? undefined : typeof k === 'symbol' || k in t ? t[k] : unsupported) });
module.exports = anyName({ utils: anyName({}), read: unsupported, readFile: unsupported, writeFile: unsupported, version: 'mcr2-stand-in' });
