// Package signatures checked by an independent implementation (Node's crypto, ed25519),
// and a registry directory forged the way a hostile registry would.
//   node sig.mjs verify DIR/NAME TAG   prints "ok KEYID" when the manifest's signature
//                                      verifies over the documented statement, else "bad"
//   node sig.mjs forge DIR/NAME TAG FILE  replaces the component layer by FILE, keeping the
//                                      signature annotations (digests stay consistent)
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, repo, tag, file] = process.argv.slice(2);
const sha = (b) => createHash('sha256').update(b).digest('hex');
const blob = (d) => readFileSync(`${repo}/blobs/sha256/${d.slice(7)}`);
const index = JSON.parse(readFileSync(`${repo}/index.json`, 'utf8'));
const entry = index.manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === tag);
const manifest = JSON.parse(blob(entry.digest).toString('utf8'));
const wasm = manifest.layers.find((l) => l.mediaType === 'application/wasm');
const toml = manifest.layers.find((l) => l.mediaType === 'application/vnd.weld.package.manifest.v1+toml');
const ann = manifest.annotations;

if (mode === 'verify') {
  const statement = 'weld-package-signature-v1\n' +
    `name ${ann['org.opencontainers.image.title']}\nversion ${ann['org.opencontainers.image.version']}\n` +
    `component ${wasm.digest}\nmanifest ${toml ? toml.digest : 'none'}\n`;
  const raw = Buffer.from(ann['dev.weld.signature.key'], 'base64');
  // an Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the 32-byte key (RFC 8410)
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  const good = verify(null, Buffer.from(statement), key, Buffer.from(ann['dev.weld.signature'], 'base64'));
  console.log(good ? `ok ${sha(raw).slice(0, 16)}` : 'bad');
} else if (mode === 'forge') {
  const evil = readFileSync(file);
  const d = sha(evil);
  writeFileSync(`${repo}/blobs/sha256/${d}`, evil);
  wasm.digest = `sha256:${d}`;
  wasm.size = evil.length;
  const text = Buffer.from(JSON.stringify(manifest));
  const md = sha(text);
  writeFileSync(`${repo}/blobs/sha256/${md}`, text);
  entry.digest = `sha256:${md}`;
  entry.size = text.length;
  writeFileSync(`${repo}/index.json`, JSON.stringify(index));
} else {
  console.error('usage: node sig.mjs verify|forge DIR/NAME TAG [FILE]');
  process.exit(2);
}
