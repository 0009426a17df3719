// Calls the exports of the composed consumer + provider (text.wit) through jco's
// transpilation, checks each result against the one computed here in JavaScript, and
// prints each call (WAVE) and its result (WAVE), tab-separated, for `weld run --invoke`.
// Exits 1 when jco's result differs from the JavaScript one.
// Usage: node calls.mjs DIR (where `jco transpile --name app` wrote app.js)
import { pathToFileURL } from 'node:url';
const g = await import(pathToFileURL(process.argv[2] + '/app.js').href);

const enc = new TextEncoder(), dec = new TextDecoder();
const str = (s) => JSON.stringify(s);
const bytes = (v) => '[' + Array.from(v).join(', ') + ']';
const int = (x) => String(x);
const eq = (a, b) => (a instanceof Uint8Array || Array.isArray(a) ? bytes(a) === bytes(b) : a === b);

// the reference: what interface `text` and the consumer's exports compute
const shout = (s) => s.replace(/[a-z]/g, (c) => c.toUpperCase()) + '!';
const halves = (s) => {
  const b = enc.encode(s), k = Math.floor(b.length / 2);
  return dec.decode(b.slice(0, k)) + '|' + dec.decode(b.slice(k));
};
const whereIs = (s, c) => BigInt(enc.encode(s).indexOf(c.codePointAt(0) < 128 ? c.codePointAt(0) : -2));
const wideSum = (x, tail) => {
  let n = 0n;
  for (let i = 1; i <= 18; i++) {
    const a = i === 17 ? enc.encode(tail).length : (x + i - 1) % 2 ** 32;
    n += BigInt(i) * BigInt(a);
  }
  return n;
};

const celebrate = (name, age) => `${name}* (${age + 1})`;

const parseOr = (s) => (s === '' ? -5n : /^[0-9]+$/.test(s) ? BigInt(Number(s) % 2 ** 32) : -11n); // "empty", "not a digit"
const pickOr = (some, s, fallback) => (some ? s : fallback);
const nextOf = (c) => ((c % 3) + 1) % 3;

const f64 = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
const measure = (n) =>
  ({ small: Number, big: Number, ratio: Math.fround, precise: Number, text: (t) => enc.encode(t).length })[n.tag]?.(n.val) ?? -1;
const weigh = (r) => (r.tag === 'ok' ? Math.fround(r.val) : -enc.encode(r.val).length);

const cases = [
  ['shout-twice("hello, wörld")', () => g.shoutTwice('hello, wörld'), shout(shout('hello, wörld')), str],
  ['shout-twice("")', () => g.shoutTwice(''), shout(shout('')), str],
  ['sum-of([1, 2, 250, 255])', () => g.sumOf(new Uint8Array([1, 2, 250, 255])), 508, int],
  ['sum-of([])', () => g.sumOf(new Uint8Array([])), 0, int],
  ['reversed([1, 2, 3, 200])', () => g.reversed(new Uint8Array([1, 2, 3, 200])), [200, 3, 2, 1], bytes],
  ['reversed([])', () => g.reversed(new Uint8Array([])), [], bytes],
  ['halves("abcde")', () => g.halves('abcde'), halves('abcde'), str],
  ['halves("")', () => g.halves(''), halves(''), str],
  ['where-is("hello", \'l\')', () => g.whereIs('hello', 'l'), whereIs('hello', 'l'), int],
  ['where-is("hello", \'z\')', () => g.whereIs('hello', 'z'), whereIs('hello', 'z'), int],
  ['wide-sum(1, "xyz")', () => g.wideSum(1, 'xyz'), wideSum(1, 'xyz'), int],
  ['wide-sum(4294967290, "")', () => g.wideSum(4294967290, ''), wideSum(4294967290, ''), int],
  ['celebrate("ann", 41)', () => g.celebrate('ann', 41), celebrate('ann', 41), str],
  ['celebrate("", 4294967294)', () => g.celebrate('', 4294967294), celebrate('', 4294967294), str],
  ['parse-or("4294967295")', () => g.parseOr('4294967295'), parseOr('4294967295'), int],
  ['parse-or("12x")', () => g.parseOr('12x'), parseOr('12x'), int],
  ['parse-or("")', () => g.parseOr(''), parseOr(''), int],
  ['pick-or(true, "kept", "fallback")', () => g.pickOr(true, 'kept', 'fallback'), pickOr(true, 'kept', 'fallback'), str],
  ['pick-or(false, "kept", "fallback")', () => g.pickOr(false, 'kept', 'fallback'), pickOr(false, 'kept', 'fallback'), str],
  ['next-of(2)', () => g.nextOf(2), nextOf(2), int],
  ['next-of(7)', () => g.nextOf(7), nextOf(7), int],
  ...[
    ['small(5)', { tag: 'small', val: 5 }],
    ['big(1099511627777)', { tag: 'big', val: 1099511627777n }],
    ['ratio(0.5)', { tag: 'ratio', val: 0.5 }],
    ['ratio(-3.75)', { tag: 'ratio', val: -3.75 }],
    ['precise(-1.25)', { tag: 'precise', val: -1.25 }],
    ['text("abcd")', { tag: 'text', val: 'abcd' }],
    ['none', { tag: 'none' }],
  ].map(([w, v]) => [`measure-via(${w})`, () => g.measureVia(v), measure(v), f64]),
  ['weigh-via(ok(1.5))', () => g.weighVia({ tag: 'ok', val: 1.5 }), weigh({ tag: 'ok', val: 1.5 }), f64],
  ['weigh-via(err("abc"))', () => g.weighVia({ tag: 'err', val: 'abc' }), weigh({ tag: 'err', val: 'abc' }), f64],
];
let bad = 0;
for (const [call, fn, want, fmt] of cases) {
  const got = fn();
  if (!eq(got, want)) {
    console.error(`${call}: jco gives ${fmt(got)}, JavaScript ${fmt(want)}`);
    bad++;
  }
  console.log(call + '\t' + fmt(want));
}
process.exit(bad ? 1 : 0);
