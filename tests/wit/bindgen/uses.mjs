// Calls the exports of world `both` (uses.wit) through jco's transpilation and prints
// each call (WAVE) and its result (WAVE), tab-separated, as calls.mjs does.
// Usage: node uses.mjs DIR (where `jco transpile --name guest` wrote guest.js)
import { pathToFileURL } from 'node:url';
const g = await import(pathToFileURL(process.argv[2] + '/guest.js').href);

const int = (x) => String(x);
const record = (fields) => (v) => '{' + fields.map(([n, f]) => n + ': ' + f(v[n])).join(', ') + '}';
const pt = record([['x', int], ['y', int]]);
const step = record([['at', pt], ['facing', (v) => v]]);
const G = 'test:uses/geom#';

const cases = [
  [G + 'norm1({x: -3, y: 4})', () => g.geom.norm1({ x: -3, y: 4 }), int],
  [G + 'norm1({x: -2147483647, y: 0})', () => g.geom.norm1({ x: -2147483647, y: 0 }), int],
  [G + 'turn(north)', () => g.geom.turn('north'), (v) => v],
  [G + 'turn(west)', () => g.geom.turn('west'), (v) => v],
  [G + 'walk({at: {x: 1, y: 2}, facing: west}, 5)', () => g.geom.walk({ at: { x: 1, y: 2 }, facing: 'west' }, 5), step],
  [G + 'walk({at: {x: 0, y: 0}, facing: north}, -7)', () => g.geom.walk({ at: { x: 0, y: 0 }, facing: 'north' }, -7), step],
];
for (const [call, fn, fmt] of cases) console.log(call + '\t' + fmt(fn()));
