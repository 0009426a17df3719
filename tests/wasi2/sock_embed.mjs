// Embeds the component type of tests/wasi2/sockprog.wit into the core module built from
// sockprog.c (what `jco embed` does; its file access fails here, so the WIT is handed
// over as text): the wasi:* packages are jco's own WIT of the adapter's version, nested.
//   node sock_embed.mjs JCO_DIR WORLD.wit CORE.wasm OUT.wasm
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [jcoDir, worldPath, corePath, outPath] = process.argv.slice(2);
const bca = join(jcoDir, 'node_modules', '@bytecodealliance');
const tools = await import(pathToFileURL(join(bca, 'jco-transpile', 'dist', 'wasm-tools.js')).href);
const builtin = join(bca, 'jco', 'lib', 'wit', 'builtin', '0.2.12');

// `package NAME;` then its items -> `package NAME { items }`
function nested(text) {
  const m = text.match(/^\s*package\s+([^;]+);/m);
  if (!m) throw new Error('no package line');
  const body = text.slice(0, m.index) + text.slice(m.index + m[0].length);
  return `package ${m[1]} {\n${body}\n}\n`;
}

let wit = readFileSync(worldPath, 'utf8');
for (const pkg of ['wasi-io', 'wasi-clocks', 'wasi-sockets'])
  wit += nested(readFileSync(join(builtin, pkg, 'package.wit'), 'utf8'));
const out = await tools.componentEmbed({ binary: readFileSync(corePath), witSource: wit, world: 'sockprog' });
writeFileSync(outPath, out);
