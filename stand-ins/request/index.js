// Stands in for `request@2.88.2` (deprecated; CVE-2023-28155, and form-data, tough-cookie and qs
// releases with advisories beneath it). danfojs-node requires it at startup and calls it only to
// read a CSV or JSON file from an http(s) URL: that throws. Local files are read as before.
'use strict';
function unsupported() {
  throw new Error('reading a URL is not supported in mcr2 (its install replaces the deprecated request package): download the file and read it from disk');
}
// Any property is a function that throws (request.get, request.post, ...), but for what module
// loaders ask (__esModule: no; then: not a promise).
module.exports = new Proxy(unsupported, {
  get: (t, k) => (k === '__esModule' || k === 'then' ? undefined : typeof k === 'symbol' || k === 'prototype' ? t[k] : unsupported),
});
