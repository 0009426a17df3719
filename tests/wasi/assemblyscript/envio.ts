// An AssemblyScript program on @assemblyscript/wasi-shim: arguments, one variable,
// standard input to its end, stdout and stderr, and the exit status. Built by run.sh
// with asc; run under weld and under Node.js's WASI, and checked against envio.expected.
const args = process.argv.slice(1);
console.log("args: " + args.join("|") + " (" + args.length.toString() + ")");
console.log("GREETING=" + (process.env.has("GREETING") ? process.env.get("GREETING") : "(unset)"));
console.log("UNSET=" + (process.env.has("WELD_SURELY_UNSET") ? "set" : "(unset)"));

// stdin to its end, in small reads, then its lines upper-cased
const chunk = new ArrayBuffer(7);
let text = "";
while (true) {
  const n = process.stdin.read(chunk);
  if (n <= 0) break;
  text += String.UTF8.decode(chunk.slice(0, n));
}
const lines = text.split("\n");
for (let i = 0; i < lines.length; i++) {
  if (lines[i].length == 0 && i == lines.length - 1) break;
  console.log((i + 1).toString() + ": " + lines[i].toUpperCase());
}
process.stderr.write("read " + text.length.toString() + " characters\n");
let code = 0;
if (args.length > 0) code = I32.parseInt(args[0]);
process.exit(code);
