// Runs binary trees (a WasmGC binary, e.g. from `weld encode binarytrees.wat`) under Node:
//   node run_node.js binarytrees.wasm N
// prints the checksum of run(N), as weld run --invoke run does (an unsigned i32).
const fs = require('fs');
const [file, n] = process.argv.slice(2);
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), {});
console.log(instance.exports.run(Number(n)) >>> 0);
