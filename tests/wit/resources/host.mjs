// The provider alone (counters.wit, world provider) as jco transpiles it, called from
// JavaScript as a host: `new Counter`, methods, borrowed arguments, own results, the
// static functions, counters in a list, a record and an option, result<counter, string>
// (an error thrown with its payload), disposal running the C destructor (counted by
// destroyed()), and a disposed counter refused. Every value is checked against the one
// computed here; prints "ok N" (the checks made) or the differences and exits 1.
// Usage: node host.mjs DIR (where `jco transpile --name provider` wrote provider.js)
import { pathToFileURL } from 'node:url';
const m = await import(pathToFileURL(process.argv[2] + '/provider.js').href);
const { Counter, total, label, show, maybe } = m.counters;
let bad = 0, n = 0;
const check = (what, got, want) => {
  n++;
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    console.error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    bad++;
  }
};
let gone = 0; // destructors expected so far
const a = new Counter(5);
check('add', a.add(3), 8);
check('add again', a.add(-10), -2);
const b = new Counter(100);
const c = a.merge(b);
check('merge', c.get(), 98);
check('sources kept', [a.get(), b.get()], [-2, 100]);
check('total', total([a, b, c, a]), -2 + 100 + 98 - 2);
check('none destroyed yet', Counter.destroyed(), gone);
c[Symbol.dispose]();
gone++;
check('dispose runs the destructor', Counter.destroyed(), gone);
let threw = false;
try {
  c.get();
} catch (e) {
  threw = true;
}
check('a disposed counter is refused', threw, true);
let err;
try {
  Counter.parse('12a');
} catch (e) {
  err = e.payload;
}
check('parse error', err, 'not a number: 12a');
const p = Counter.parse('-2147483648');
check('parse ok', p.get(), -2147483648);
const l = label('pi', 314);
check('record with a counter', [l.name, l.c.get()], ['pi', 314]);
check('show consumes it', show(l), 'pi=314');
gone++;
check('show ran the destructor', Counter.destroyed(), gone);
check('maybe none', maybe(-5), undefined);
const s = maybe(6);
check('maybe some', s.get(), 6);
for (const x of [a, b, p, s]) x[Symbol.dispose]();
gone += 4;
check('all destroyed', Counter.destroyed(), gone);
if (bad) process.exit(1);
console.log(`ok ${n}`);
