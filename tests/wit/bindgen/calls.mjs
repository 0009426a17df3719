// Calls the exports of world `pure` (echo.wit) through jco's transpilation of the
// component and prints each call (WAVE) and its result (WAVE), tab-separated: the
// expected results for `weld run --invoke`.
// Usage: node calls.mjs DIR (where `jco transpile --name guest` wrote guest.js)
import { pathToFileURL } from 'node:url';
const g = await import(pathToFileURL(process.argv[2] + '/guest.js').href);
const t = g.types;

const f64 = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
const str = (s) => JSON.stringify(s);
const int = (x) => String(x);
const bool = (b) => (b ? 'true' : 'false');
const list = (el) => (v) => '[' + Array.from(v, el).join(', ') + ']';
const tuple = (...els) => (v) => '(' + v.map((x, i) => els[i](x)).join(', ') + ')';
const option = (el) => (v) => (v === undefined || v === null ? 'none' : 'some(' + el(v) + ')');
// jco returns the ok payload and throws a ComponentError carrying the error payload
const result = (ok, er) => (thunk) => {
  try {
    return 'ok(' + ok(thunk()) + ')';
  } catch (e) {
    if (e && 'payload' in e) return 'err(' + er(e.payload) + ')';
    throw e;
  }
};

const cases = [
  ['add(2, -5)', () => g.add(2, -5), int],
  ['add(2147483647, 1)', () => g.add(2147483647, 1), int],
  ['neg(2.5)', () => g.neg(2.5), f64],
  ['neg(-3)', () => g.neg(-3), f64],
  ["is-upper('Q')", () => g.isUpper('Q'), bool],
  ["is-upper('é')", () => g.isUpper('é'), bool],
  ['count("héllo wörld")', () => g.count('héllo wörld'), int],
  ['count("")', () => g.count(''), int],
  ['upper("abc xyz")', () => t.upper('abc xyz'), str],
  ['upper("")', () => t.upper(''), str],
  ['reverse([1, 2, 3, 4294967295])', () => t.reverse(new Uint32Array([1, 2, 3, 4294967295])), list(int)],
  ['reverse([])', () => t.reverse(new Uint32Array([])), list(int)],
  ['swap(7, -9)', () => t.swap(7, -9n), tuple(int, int)],
  ['swap(255, 9223372036854775807)', () => t.swap(255, 9223372036854775807n), tuple(int, int)],
  ['half(some(3))', () => t.half(3), option(f64)],
  ['half(some(-0.5))', () => t.half(-0.5), option(f64)],
  ['half(none)', () => t.half(undefined), option(f64)],
];
const rcases = [
  ['checked(4)', () => t.checked(4), result(int, str)],
  ['checked(-1)', () => t.checked(-1), result(int, str)],
];
for (const [call, fn, fmt] of cases) console.log(call + '\t' + fmt(fn()));
for (const [call, fn, fmt] of rcases) console.log(call + '\t' + fmt(fn));
