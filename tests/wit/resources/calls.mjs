// Calls the exports of the composed consumer + provider (counters.wit) through jco's
// transpilation, checks each result against the one computed here in JavaScript (a model
// of the counters: values, and how many destructors each call runs), and prints each call
// (WAVE) and its result (WAVE), tab-separated, for `weld run --invoke`; the last call,
// destroyed(), checks that every counter made was destroyed once. Then, each on a fresh
// instance, the misuse the canonical ABI traps on: a method through a dropped handle, a
// handle dropped twice. Exits 1 when jco's result differs from the JavaScript one.
// Usage: node calls.mjs DIR (where `jco transpile --name app` wrote app.js)
import { pathToFileURL } from 'node:url';
const url = pathToFileURL(process.argv[2] + '/app.js').href;
const g = await import(url);

const str = (s) => JSON.stringify(s);
const int = (x) => String(x);
const opt = (x) => (x === undefined ? 'none' : `some(${x})`);
const res = (r) => (r.tag === 'ok' ? `ok(${r.val})` : `err(${str(r.val)})`);
// jco returns a result's ok value and throws its error (payload: the error value)
const result = (fn) => {
  try {
    return { tag: 'ok', val: fn() };
  } catch (e) {
    if (e.payload === undefined) throw e;
    return { tag: 'err', val: e.payload };
  }
};

// the model: each call's result and the destructors it runs
let destroyed = 0;
const made = (n, v) => ((destroyed += n), v);
const wrap = (x) => x | 0;
const parse = (s) => (/^-?[0-9]+$/.test(s) ? { tag: 'ok', val: wrap(Number(s)) } : { tag: 'err', val: 'not a number: ' + s });
const cases = [
  ['basic(5, 3)', () => g.basic(5, 3), () => made(1, 11), int],
  ['basic(-7, 2147483647)', () => g.basic(-7, 2147483647), () => made(1, wrap(-7 + 2 * 2147483647)), int],
  ['merged(2, 40)', () => g.merged(2, 40), () => made(3, 42), int],
  ['parsed("123")', () => result(() => g.parsed('123')), () => made(1, parse('123')), res],
  ['parsed("-45")', () => result(() => g.parsed('-45')), () => made(1, parse('-45')), res],
  ['parsed("1x")', () => result(() => g.parsed('1x')), () => made(0, parse('1x')), res],
  ['parsed("")', () => result(() => g.parsed('')), () => made(0, parse('')), res],
  ['churn(0)', () => g.churn(0), () => made(0, 0), int],
  ['churn(7)', () => g.churn(7), () => made(7, 7), int],
  ['summed([1, 2, 3, -4])', () => g.summed(new Int32Array([1, 2, 3, -4])), () => made(4, 2), int],
  ['summed([])', () => g.summed(new Int32Array([])), () => made(0, 0), int],
  ['labelled("abc", 41)', () => g.labelled('abc', 41), () => made(1, 'abc=42'), str],
  ['labelled("", -2)', () => g.labelled('', -2), () => made(1, '=-1'), str],
  ['maybe-get(-1)', () => g.maybeGet(-1), () => made(0, undefined), opt],
  ['maybe-get(9)', () => g.maybeGet(9), () => made(1, 9), opt],
  ['destroyed()', () => g.destroyed(), () => destroyed, int],
];
let bad = 0;
for (const [call, fn, model, fmt] of cases) {
  const got = fn();
  const want = model();
  if (fmt(got) !== fmt(want)) {
    console.error(`${call}: jco gives ${fmt(got)}, JavaScript ${fmt(want)}`);
    bad++;
  }
  console.log(call + '\t' + fmt(want));
}
for (const f of ['useAfterDrop', 'dropTwice']) {
  const fresh = await import(url + '?' + f);
  try {
    fresh[f]();
    console.error(`${f}: no trap under jco`);
    bad++;
  } catch (e) {
    if (!/handle/.test(String(e.message))) {
      console.error(`${f}: under jco: ${e.message}`);
      bad++;
    }
  }
}
process.exit(bad ? 1 : 0);
