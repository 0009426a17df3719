// The reference side of tests/wasi2/run.sh: runs a WASI 0.2 command component, transpiled
// to JavaScript by jco, under Node.js with the preview2 shim (@bytecodealliance/
// preview2-shim), given the same preopens, environment and arguments weld gets.
//
//   node node_run.mjs JS [--dir GUEST=HOST]... [--env NAME=VALUE]... -- ARG0 ARGS...
import { pathToFileURL } from "node:url";
import path from "node:path";
import { _setArgs, _setEnv } from "@bytecodealliance/preview2-shim/cli";
import { _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";

const argv = process.argv.slice(2);
const js = argv.shift();
const preopens = {}, env = {};
while (argv.length && argv[0] !== "--") {
  const flag = argv.shift(), value = argv.shift();
  const eq = value.indexOf("=");
  if (flag === "--dir") preopens[value.slice(0, eq)] = path.resolve(value.slice(eq + 1));
  else if (flag === "--env") env[value.slice(0, eq)] = value.slice(eq + 1);
  else throw new Error(`node_run.mjs: unknown flag ${flag}`);
}
argv.shift();
_setPreopens(preopens);
_setEnv(env);
_setArgs(argv);
const m = await import(pathToFileURL(path.resolve(js)).href);
m.run.run();
