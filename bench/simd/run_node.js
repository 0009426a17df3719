// Times one kernel of a kernels.wasm under Node (V8): the call only, after a warm-up
// call (which also runs init). Prints "RESULT SECONDS".
const fs = require('fs');
const [file, name, reps] = process.argv.slice(2);
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), {});
const f = instance.exports[name];
f(1);
const t0 = process.hrtime.bigint();
const r = f(Number(reps));
const t1 = process.hrtime.bigint();
console.log(`${r} ${(Number(t1 - t0) / 1e9).toFixed(6)}`);
