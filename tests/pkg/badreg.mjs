// A registry that misbehaves on purpose, for tests/pkg/run.sh: one repository per fault.
// Listens on a free loopback port, prints it, and serves until killed.
//   e500      tags list answers 500 with a registry error body
//   e401      tags list answers 401 without a challenge
//   trunc     tags list is truncated JSON
//   drop      the connection is dropped before any answer
//   wrongdig  the manifest comes with a Docker-Content-Digest that does not match it
//   badblob   the component blob's bytes do not match its digest
//   tok       a good package behind a Bearer challenge (token from /token)
//   basic     a good package behind Basic authentication (carol, s3cret:x)
import { createServer } from "node:http";
import { createHash } from "node:crypto";

const sha = (b) => "sha256:" + createHash("sha256").update(b).digest("hex");
const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
const config = Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip2", layerDigests: [sha(wasm)] }));
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.wasm.config.v0+json", digest: sha(config), size: config.length },
  layers: [{ mediaType: "application/wasm", digest: sha(wasm), size: wasm.length }],
}));
const blobs = { [sha(wasm)]: wasm, [sha(config)]: config };

const server = createServer((req, res) => {
  const m = req.url.match(/^\/v2\/([a-z0-9]+)\/(tags\/list|manifests\/[^/]+|blobs\/[^/]+)$/);
  if (req.url === "/token?service=test&scope=repository%3Atok%3Apull") return res.end(JSON.stringify({ token: "t0k" }));
  if (req.url === "/v2/") return res.end("{}");
  if (!m) { res.statusCode = 404; return res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"no"}]}'); }
  const [, repo, what] = m;
  if (repo === "drop") return req.socket.destroy();
  if (repo === "e500") { res.statusCode = 500; return res.end('{"errors":[{"code":"UNKNOWN","message":"boom"}]}'); }
  if (repo === "e401") { res.statusCode = 401; return res.end(""); }
  if (repo === "trunc") return res.end('{"name":"trunc","tags":["1.0');
  if (repo === "tok" && req.headers.authorization !== "Bearer t0k") {
    res.statusCode = 401;
    res.setHeader("WWW-Authenticate", `Bearer realm="http://127.0.0.1:${server.address().port}/token",service="test",scope="repository:tok:pull"`);
    return res.end("");
  }
  if (repo === "basic" && req.headers.authorization !== "Basic " + Buffer.from("carol:s3cret:x").toString("base64")) {
    res.statusCode = 401;
    res.setHeader("WWW-Authenticate", 'Basic realm="test"');
    return res.end("");
  }
  if (what === "tags/list") return res.end(JSON.stringify({ name: repo, tags: ["1.0.0"] }));
  if (what.startsWith("manifests/")) {
    res.setHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json");
    res.setHeader("Docker-Content-Digest", repo === "wrongdig" ? sha(Buffer.from("other")) : sha(manifest));
    return res.end(manifest);
  }
  const blob = blobs[what.slice(6)];
  if (!blob) { res.statusCode = 404; return res.end('{"errors":[{"code":"BLOB_UNKNOWN","message":"no"}]}'); }
  if (repo === "badblob" && blob === wasm) return res.end(Buffer.from("\0asm\x0d\0\x01\0evil"));
  res.end(blob);
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
