// Times one kernel of a wasm file under Node (V8): the call only, after a warm-up call.
// Prints "RESULT SECONDS".
const fs = require('fs');
const [file, name, reps] = process.argv.slice(2);
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), {});
const f = instance.exports[name];
f(10);
const t0 = process.hrtime.bigint();
const r = f(Number(reps));
const t1 = process.hrtime.bigint();
console.log(`${r >>> 0} ${(Number(t1 - t0) / 1e9).toFixed(6)}`);
