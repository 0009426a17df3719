// Calls the exports of world `shapes` (echo.wit) through jco's transpilation and prints
// each call (WAVE) and its result (WAVE), tab-separated, as calls.mjs does.
// Usage: node shapes.mjs DIR (where `jco transpile --name guest` wrote guest.js)
import { pathToFileURL } from 'node:url';
const g = await import(pathToFileURL(process.argv[2] + '/guest.js').href);

const f64 = (x) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
const str = (s) => JSON.stringify(s);
const int = (x) => String(x);
const list = (el) => (v) => '[' + Array.from(v, el).join(', ') + ']';
const record = (fields) => (v) => '{' + fields.map(([n, f]) => n + ': ' + f(v[n])).join(', ') + '}';
const point = record([['x', int], ['y', int]]);
const labeled = record([['name', str], ['at', point], ['tags', list(str)]]);
const enm = (v) => v;
const flags = (names) => (v) => '{' + names.filter((n) => v[n]).join(', ') + '}';
const perms = flags(['read', 'write', 'exec']);
const variant = (cases) => (v) => (cases[v.tag] ? v.tag + '(' + cases[v.tag](v.val) + ')' : v.tag);
const shape = variant({ circle: f64, rect: point, named: str });

const cases = [
  ['move({x: 1, y: 2}, 5)', () => g.move({ x: 1, y: 2 }, 5), point],
  ['move({x: -2147483648, y: 0}, -1)', () => g.move({ x: -2147483648, y: 0 }, -1), point],
  ['describe({name: "ab", at: {x: 1, y: 2}, tags: ["t"]})', () => g.describe({ name: 'ab', at: { x: 1, y: 2 }, tags: ['t'] }), labeled],
  ['describe({name: "", at: {x: 0, y: 0}, tags: []})', () => g.describe({ name: '', at: { x: 0, y: 0 }, tags: [] }), labeled],
  ['next(red)', () => g.next('red'), enm],
  ['next(blue)', () => g.next('blue'), enm],
  ['toggle({write, exec})', () => g.toggle({ read: false, write: true, exec: true }), perms],
  ['toggle({read, exec})', () => g.toggle({ read: true, write: false, exec: true }), perms],
  ['make(4)', () => g.make(4), shape],
  ['make(5)', () => g.make(5), shape],
  ['make(6)', () => g.make(6), shape],
  ['make(7)', () => g.make(7), shape],
];
for (const [call, fn, fmt] of cases) console.log(call + '\t' + fmt(fn()));
