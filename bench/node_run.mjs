// Runs a WebAssembly module under Node.js the way the benchmarks run it under weld.
//
//   node --no-warnings node_run.mjs FILE.wasm --invoke NAME [ARGS...]
//       instantiate with no imports, call the export NAME with integer ARGS, print each
//       result on its own line (the shape of `weld run FILE --invoke NAME ARGS`)
//   node --no-warnings node_run.mjs --wasi FILE.wasm [ARGS...]
//       run a WASI preview1 command (_start) with ARGS, inheriting stdin/stdout/stderr,
//       the current directory preopened as "."; exits with the program's exit code
//
// The runner times this whole process (Node's own start-up included), the same way it
// times weld and the native build, so every column measures the same thing.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

function fail(msg) {
  process.stderr.write(`node_run: ${msg}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const wasiMode = argv[0] === '--wasi';
if (wasiMode) argv.shift();
const file = argv.shift();
if (!file) fail('usage: node_run.mjs [--wasi] FILE.wasm [--invoke NAME] [ARGS...]');

let bytes;
try {
  bytes = readFileSync(file);
} catch (e) {
  fail(`cannot read ${file}: ${e.message}`);
}
const module = await WebAssembly.compile(bytes);

if (wasiMode) {
  const wasi = new WASI({
    version: 'preview1',
    args: [file, ...argv],
    env: {},
    preopens: { '.': '.' },
    returnOnExit: true,
  });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  process.exitCode = wasi.start(instance);
} else {
  if (argv[0] !== '--invoke' || argv.length < 2) fail('expected --invoke NAME');
  const name = argv[1];
  const instance = await WebAssembly.instantiate(module, {});
  const fn = instance.exports[name];
  if (typeof fn !== 'function') fail(`${file}: no exported function '${name}'`);
  const params = argv.slice(2);
  // i64 parameters need BigInt; the benchmarks pass i32 only, so plain numbers
  const args = params.map((a) => {
    const v = Number(a);
    if (!Number.isInteger(v)) fail(`bad argument '${a}'`);
    return v;
  });
  const result = fn(...args);
  const results = Array.isArray(result) ? result : result === undefined ? [] : [result];
  process.stdout.write(results.map((r) => `${r}\n`).join(''));
}
