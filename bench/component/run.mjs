// The driver component as jco transpiled it (DIR/app.js), run once: prints run(n, kind)'s
// checksum, after checking it against the same checksum computed here in JavaScript.
// Usage: node run.mjs DIR N KIND
import { pathToFileURL } from 'node:url';
const [dir, nText, kindText] = process.argv.slice(2);
const n = Number(nText), kind = Number(kindText);
const app = await import(pathToFileURL(dir + '/app.js').href);

// the reference
let want = 0n;
if (kind === 0) {
  let x = 1;
  for (let i = 0; i < n; i++) {
    x = (x + i) >>> 0;
    want += BigInt(x);
  }
} else {
  const tail = 'bcdefghijklmnop';
  let tailSum = 0;
  for (const c of tail) tailSum += c.charCodeAt(0) + 1;
  for (let i = 0; i < n; i++) want += BigInt('a'.charCodeAt(0) + (i % 16) + 1 + tailSum);
}
const got = app.run(n, kind);
if (got !== want) {
  console.error(`run(${n}, ${kind}) = ${got} under jco, the JavaScript reference says ${want}`);
  process.exit(1);
}
console.log(String(got));
