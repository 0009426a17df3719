// Runs a WASI preview1 module under Node.js: node node_run.mjs FILE.wasm PREOPEN_HOST
// PREOPEN_GUEST [--env NAME=VALUE]... -- ARGS...  (the reference side of tests/wasi/run.sh)
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const [file, host, guest] = argv;
const env = {};
let i = 3;
for (; i < argv.length && argv[i] !== '--'; i++) {
  if (argv[i] === '--env') {
    const kv = argv[++i];
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
}
const args = [file, ...argv.slice(i + 1)];
const wasi = new WASI({ version: 'preview1', args, env, preopens: { [guest]: host }, returnOnExit: true });
const mod = await WebAssembly.compile(readFileSync(file));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
const code = wasi.start(inst);
process.exitCode = code;
