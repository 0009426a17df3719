// A component written in JavaScript for tests/component/toolchains.sh, made by
// `jco componentize` (StarlingMonkey) from world.wit: a command (wasi:cli/run: its
// arguments and environment to stdout, exit status from its first argument) and the
// interface `lib` (records, variants, enums, flags, lists, options, results, a resource).
import { getArguments, getEnvironment } from 'wasi:cli/environment@0.2.10';
import { exit } from 'wasi:cli/exit@0.2.10';

let made = 0;

class Counter {
  #n;
  constructor(start) {
    this.#n = start;
    made++;
  }
  add(n) {
    this.#n = (this.#n + n) >>> 0;
    return this.#n;
  }
  get() {
    return this.#n;
  }
  label() {
    return `counter at ${this.#n}`;
  }
  static merge(a, b) {
    return new Counter((a.get() + b.get()) >>> 0);
  }
}

export const lib = {
  Counter,
  area(s) {
    switch (s.tag) {
      case 'circle': return Math.PI * s.val * s.val;
      case 'rect': {
        const [a, b] = s.val;
        return Math.abs(b.x - a.x) * Math.abs(b.y - a.y);
      }
      default: return 0;
    }
  },
  centroid(pts) {
    if (pts.length === 0) return undefined;
    let x = 0, y = 0;
    for (const p of pts) { x += p.x; y += p.y; }
    return { x: x / pts.length, y: y / pts.length };
  },
  describe(items) {
    return items.map((it) => {
      const w = it.weight === undefined ? 'no weight' : `${it.weight} ${it.unit}`;
      return `${it.name} [${it.tags.join(',')}] ${w}`;
    });
  },
  heaviest(items) {
    let best;
    for (const it of items) {
      if (it.weight !== undefined && (best === undefined || it.weight > best.weight)) best = it;
    }
    return best;
  },
  parseAll(xs) {
    return xs.map((s) => /^-?[0-9]+$/.test(s) ? { tag: 'ok', val: BigInt(s) } : { tag: 'err', val: `not a number: ${s}` });
  },
  checkedDiv(a, b) {
    if (b === 0) throw { payload: 'division by zero' };
    return Math.trunc(a / b);
  },
  grant(p, extra) {
    return { read: p.read || extra.read, write: p.write || extra.write, exec: p.exec || extra.exec };
  },
  shout(s, times) {
    const out = [];
    for (let i = 0; i < times; i++) out.push(s.toUpperCase() + '!'.repeat(i + 1));
    return out;
  },
  makeCounter(start) {
    return new Counter(start);
  },
  readCounter(c) {
    return c.get();
  },
  tally(starts, steps) {
    return starts.map((s) => {
      const c = new Counter(s);
      for (const n of steps) c.add(n);
      return c.get();
    });
  },
  countersMade() {
    return made;
  },
};

export const run = {
  run() {
    const args = getArguments();
    console.log(`${args.length - 1} arguments`);
    for (let i = 1; i < args.length; i++) console.log(`arg ${i}: [${args[i]}] ${[...args[i]].length} chars`);
    const env = getEnvironment().filter(([k]) => k.startsWith('JS_')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, v] of env) console.log(`${k}=${v}`);
    const c = new Counter(40);
    c.add(2);
    console.log(`${c.label()}; area of circle(1) ${lib.area({ tag: 'circle', val: 1 })}`);
    if (args[1] === 'fail') exit({ tag: 'err' });
  },
};
