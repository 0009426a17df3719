// Turns the runner's samples into the results: a Markdown table (printed, and written to
// results.md), results.json, and chart.dat for gnuplot. Exits 1 if any run gave a wrong
// answer or failed.
//
//   node report.mjs SAMPLES.tsv META.json OUT_DIR [FIRST.tsv]
//
// FIRST.tsv (benchmark, runtime, round, first_ms, wall_ms, ok, second_ms): the runs with
// standard output on a pseudo-terminal; they add tables of the time to the first byte of
// output and to the first byte of its second line.
import { readFileSync, writeFileSync } from 'node:fs';

const [samplesFile, metaFile, outDir, firstFile] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
const lines = readFileSync(samplesFile, 'utf8').trim().split('\n').slice(1);
// weld's extra tiers (BENCH_TIERS): runtimes weld-interp, weld-baseline, weld-optimized
const tierOrder = ['weld-interp', 'weld-baseline', 'weld-optimized'];
const tiers = tierOrder.filter((t) => (meta.weld_tiers || '').split(' ').includes(t));
const runtimes = ['native', 'node', 'weld', ...tiers, 'ref'];
const label = { native: 'native', node: 'node', weld: 'weld', ref: 'wasm-interp' };
for (const t of tiers) label[t] = `weld ${t.slice(5)}`;

const benches = new Map(); // name -> {kind, skip, per runtime: {walls, rss, bad}}
for (const line of lines) {
  const [name, kind, rt, round, wall, rss, status, ok] = line.split('\t');
  if (!benches.has(name)) benches.set(name, { name, kind, skip: null, rt: {} });
  const b = benches.get(name);
  if (status === 'skip') {
    b.skip = ok;
    continue;
  }
  const r = (b.rt[rt] ??= { walls: [], rss: [], bad: [] });
  if (ok !== '1') r.bad.push(status === '0' ? 'output differs from native' : `exit status ${status}`);
  // round 0 is the warm-up, except for wasm-interp, which runs once
  else if (round !== '0') {
    r.walls.push(Number(wall));
    r.rss.push(Number(rss));
  }
}

const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const geomean = (xs) => (xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : null);

let failed = false;
const results = [];
for (const b of benches.values()) {
  const row = { benchmark: b.name, kind: b.kind, skipped: b.skip, ms: {}, rss_kb: {}, runs: {}, status: {} };
  for (const rt of runtimes) {
    const r = b.rt[rt];
    if (!r) {
      row.status[rt] = b.skip ? `skipped: ${b.skip}` : meta.notes[`${rt},${b.kind}`] ?? 'not run';
      continue;
    }
    if (r.bad.length) {
      failed = true;
      row.status[rt] = `WRONG (${r.bad[0]})`;
      continue;
    }
    row.ms[rt] = median(r.walls);
    row.rss_kb[rt] = Math.max(...r.rss);
    row.runs[rt] = r.walls.length;
    row.status[rt] = 'ok';
  }
  const ratio = (a, c) => (row.ms[a] != null && row.ms[c] ? row.ms[a] / row.ms[c] : null);
  row.ratio = {
    weld_native: ratio('weld', 'native'),
    weld_node: ratio('weld', 'node'),
    node_native: ratio('node', 'native'),
    ref_native: ratio('ref', 'native'),
  };
  for (const t of tiers) {
    row.ratio[`${t}_native`] = ratio(t, 'native');
    row.ratio[`${t}_node`] = ratio(t, 'node');
  }
  results.push(row);
}

const fmtMs = (row, rt) => (row.ms[rt] != null ? row.ms[rt].toFixed(1) : row.status[rt]);
const fmtX = (x) => (x == null ? '–' : x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);
const fmtMB = (row, rt) => (row.rss_kb[rt] != null ? (row.rss_kb[rt] / 1024).toFixed(1) : '–');

const groups = [
  ['kernel', 'Kernels (bare wasm32 module, export `run` called with N)'],
  ['wasi', 'WASI programs (wasm32-wasi commands; whole output compared)'],
];
let md = '';
for (const [kind, title] of groups) {
  const rows = results.filter((r) => r.kind === kind);
  if (!rows.length) continue;
  md += `### ${title}\n\n`;
  md += '| benchmark | native ms | node ms | weld ms | wasm-interp ms | weld/native | weld/node | node/native | RSS MB native / node / weld |\n';
  md += '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n';
  for (const r of rows) {
    if (r.skipped) {
      md += `| ${r.benchmark} | skipped: ${r.skipped} | | | | | | | |\n`;
      continue;
    }
    md += `| ${r.benchmark} | ${fmtMs(r, 'native')} | ${fmtMs(r, 'node')} | ${fmtMs(r, 'weld')} | ${fmtMs(r, 'ref')}`;
    md += ` | ${fmtX(r.ratio.weld_native)} | ${fmtX(r.ratio.weld_node)} | ${fmtX(r.ratio.node_native)}`;
    md += ` | ${fmtMB(r, 'native')} / ${fmtMB(r, 'node')} / ${fmtMB(r, 'weld')} |\n`;
  }
  const gm = (key) => geomean(rows.map((r) => r.ratio[key]).filter((x) => x != null));
  md += `| **geometric mean** | | | | | ${fmtX(gm('weld_native'))} | ${fmtX(gm('weld_node'))} | ${fmtX(gm('node_native'))} | |\n\n`;
}
// weld's tiers side by side (the same rounds as above)
if (tiers.length) {
  for (const [kind, title] of groups) {
    const rows = results.filter((r) => r.kind === kind && !r.skipped);
    if (!rows.length) continue;
    md += `### weld's tiers: ${title.replace(/ \(.*/, '').toLowerCase()} (time / native time)\n\n`;
    md += `| benchmark | native ms | weld ${(meta.weld_tier || 'auto').replace(' (default)', '')} |`;
    for (const t of tiers) md += ` ${label[t]} |`;
    md += ' node |';
    for (const t of tiers) md += ` ${label[t]}/node |`;
    md += '\n| --- | ---: | ---: |' + ' ---: |'.repeat(tiers.length * 2 + 1) + '\n';
    for (const r of rows) {
      md += `| ${r.benchmark} | ${fmtMs(r, 'native')} | ${fmtX(r.ratio.weld_native)} |`;
      for (const t of tiers) md += ` ${r.ms[t] != null ? fmtX(r.ratio[`${t}_native`]) : r.status[t]} |`;
      md += ` ${fmtX(r.ratio.node_native)} |`;
      for (const t of tiers) md += ` ${fmtX(r.ratio[`${t}_node`])} |`;
      md += '\n';
    }
    const gm = (key) => geomean(rows.map((r) => r.ratio[key]).filter((x) => x != null));
    md += `| **geometric mean** | | ${fmtX(gm('weld_native'))} |`;
    for (const t of tiers) md += ` ${fmtX(gm(`${t}_native`))} |`;
    md += ` ${fmtX(gm('node_native'))} |`;
    for (const t of tiers) md += ` ${fmtX(gm(`${t}_node`))} |`;
    md += '\n\n';
  }
}
// time to first output: medians of the timed rounds, per program and runtime
const firsts = new Map(); // name -> runtime -> {first: [], second: [], wall: [], bad}
if (firstFile) {
  for (const line of readFileSync(firstFile, 'utf8').trim().split('\n').slice(1)) {
    const [name, rt, round, fms, wall, ok, sms] = line.split('\t');
    if (!firsts.has(name)) firsts.set(name, {});
    const r = (firsts.get(name)[rt] ??= { first: [], second: [], wall: [], bad: false });
    if (ok !== '1') r.bad = true;
    else if (round !== '0' && Number(fms) >= 0) {
      r.first.push(Number(fms));
      r.wall.push(Number(wall));
      if (sms !== undefined && Number(sms) >= 0) r.second.push(Number(sms));
    }
  }
}
const firstRows = [];
for (const [name, per] of firsts) {
  const row = { benchmark: name, first_ms: {}, second_ms: {}, wall_ms: {} };
  for (const rt of ['native', 'node', 'weld', ...tiers]) {
    const r = per[rt];
    if (!r) continue;
    if (r.bad) {
      failed = true;
      row.first_ms[rt] = row.second_ms[rt] = 'WRONG';
      continue;
    }
    row.first_ms[rt] = median(r.first);
    if (r.second.length) row.second_ms[rt] = median(r.second);
    row.wall_ms[rt] = median(r.wall);
  }
  firstRows.push(row);
}
// one table per time: to the first byte of output, to the first byte of its second line
const timeTable = (title, key) => {
  let t = `### ${title}\n\n`;
  t += '| program | native ms | node ms | weld ms |' + tiers.map((x) => ` ${label[x]} ms |`).join('');
  t += ' weld − native ms |' + tiers.map((x) => ` ${label[x]} − native ms |`).join('');
  t += ' node − native ms | weld, whole run ms |\n';
  t += '| --- | ---: | ---: | ---: | ---: | ---: | ---: |' + ' ---: | ---: |'.repeat(tiers.length) + '\n';
  for (const row of firstRows) {
    const v = row[key];
    const f = (rt) => (typeof v[rt] === 'number' ? v[rt].toFixed(1) : v[rt] ?? '–');
    const d = (rt) => (typeof v[rt] === 'number' && typeof v.native === 'number' ? (v[rt] - v.native).toFixed(1) : '–');
    const w = typeof row.wall_ms.weld === 'number' ? row.wall_ms.weld.toFixed(1) : '–';
    t += `| ${row.benchmark} | ${f('native')} | ${f('node')} | ${f('weld')} |` + tiers.map((x) => ` ${f(x)} |`).join('');
    t += ` ${d('weld')} |` + tiers.map((x) => ` ${d(x)} |`).join('') + ` ${d('node')} | ${w} |\n`;
  }
  return t + '\n';
};
if (firstRows.length) {
  md += timeTable('Time to first output (standard output on a pseudo-terminal, so line-buffered)', 'first_ms');
  md += timeTable('Time to the second line of output (sqlite: its first query result)', 'second_ms');
}
const refRan = results.some((r) => r.ms.ref != null);
md += `Median of ${meta.runs} timed run(s)${meta.quick ? "" : " after one warm-up"}${refRan ? " (wasm-interp: one run)" : ""}, whole process `;
md += `wall-clock time including start-up; ${meta.cpu}, ${meta.cores} cores, ${meta.date}; `;
md += `node ${meta.node_version || '?'}, ${meta.weld_version || 'weld (version unknown)'}, weld's tier ${meta.weld_tier || 'auto (default)'}.`;
md += meta.quick ? ' **Quick mode (tiny inputs): the times mean nothing.**\n' : '\n';

process.stdout.write(`\n${md}`);
writeFileSync(`${outDir}/results.md`, md);
writeFileSync(`${outDir}/results.json`, `${JSON.stringify({ meta, results, first_output: firstRows }, null, 2)}\n`);

// chart.dat: benchmark, then time relative to native for node, weld, wasm-interp ("?" = none)
let dat = '# benchmark node weld wasm-interp (time / native time)\n';
for (const r of results) {
  if (r.skipped || r.ms.native == null) continue;
  const rel = (rt) => (r.ms[rt] != null ? (r.ms[rt] / r.ms.native).toFixed(4) : '?');
  dat += `"${r.benchmark}" ${rel('node')} ${rel('weld')} ${rel('ref')}\n`;
}
writeFileSync(`${outDir}/chart.dat`, dat);

if (failed) process.stderr.write('bench: some runtime gave a wrong answer or failed (see WRONG above)\n');
process.exit(failed ? 1 : 0);
