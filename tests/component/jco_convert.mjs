// Rewrites component-model .wast scripts so that every text-format component becomes a
// binary one: `(component ...)` -> `(component binary "...")`, encoded by jco's text
// reader (wasm-tools' parser, which encodes without validating). Everything else is
// copied as it is. A component jco cannot encode is left as text (weld skips it).
//
//   node jco_convert.mjs OUTDIR SCRIPT...
import { parse } from '@bytecodealliance/jco';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';

// Spans of the top-level forms and of their direct children.
function scan(src, from, to) {
  const forms = [];
  let depth = 0, start = -1;
  for (let i = from; i < to; i++) {
    const c = src[i];
    if (c === ';' && src[i + 1] === ';') { while (i < to && src[i] !== '\n') i++; continue; }
    if (c === '(' && src[i + 1] === ';') { let d = 1; i += 2; while (i < to && d) { if (src.startsWith('(;', i)) { d++; i++; } else if (src.startsWith(';)', i)) { d--; i++; } i++; } i--; continue; }
    if (c === '"') { i++; while (i < to && src[i] !== '"') { if (src[i] === '\\') i++; i++; } continue; }
    if (c === '(') { if (depth === 0) start = i; depth++; }
    else if (c === ')') { depth--; if (depth === 0) forms.push([start, i + 1]); }
  }
  return forms;
}

const hex = (b) => Array.from(b, (x) => '\\' + x.toString(16).padStart(2, '0')).join('');
let converted = 0, kept = 0;

async function component(text) {
  // (component definition $id? ...) and (component $id? ...): the keyword is the
  // script's, not the text format's
  const m = /^\(component(\s+definition)?(\s+\$[^\s()]+)?/.exec(text);
  if (/^\(component(\s+definition)?(\s+\$[^\s()]+)?\s+(binary|quote)\b/.test(text)) return text;
  if (/^\(component\s+instance\b/.test(text)) return text;
  const body = '(component' + text.slice(m[0].length);
  try {
    const bytes = await parse(body);
    converted++;
    return `(component${m[1] || ''}${m[2] || ''} binary "${hex(bytes)}")`;
  } catch (e) {
    kept++;
    return text;
  }
}

const out = process.argv[2];
mkdirSync(out, { recursive: true });
for (const path of process.argv.slice(3)) {
  const src = readFileSync(path, 'utf8');
  let res = '', last = 0;
  for (const [a, b] of scan(src, 0, src.length)) {
    res += src.slice(last, a);
    let form = src.slice(a, b);
    if (form.startsWith('(component')) {
      form = await component(form);
    } else if (/^\((assert_invalid|assert_unlinkable|assert_trap|assert_uninstantiable)\s/.test(form)) {
      const inner = scan(form, 1, form.length - 1);
      if (inner.length && form.slice(inner[0][0]).startsWith('(component')) {
        const [ia, ib] = inner[0];
        form = form.slice(0, ia) + (await component(form.slice(ia, ib))) + form.slice(ib);
      }
    }
    res += form;
    last = b;
  }
  res += src.slice(last);
  writeFileSync(`${out}/${basename(path)}`, res);
}
console.log(`${converted} components encoded, ${kept} left as text`);
