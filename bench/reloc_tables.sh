#!/bin/sh
# bench/reloc_tables.sh [WELD]: the static tables of the weld executable that hold
# pointers, each of which the dynamic loader relocates (R_X86_64_RELATIVE) at every start,
# writing the pages of .data.rel.ro (bench/README.md, "Start-up"). One line per table,
# biggest first: bytes, relocations, symbol (a function's static is NAME.N), and F when it
# holds function pointers; then the totals. Needs readelf, nm and python3.
set -eu
W=${1:-build/weld}
[ -f "$W" ] || { echo "reloc_tables: no executable at $W" >&2; exit 2; }
trap 'rm -f "${TMPDIR:-/tmp}/rt.$$.rel" "${TMPDIR:-/tmp}/rt.$$.syms"' EXIT
readelf -rW "$W" | awk '$3=="R_X86_64_RELATIVE"{print $1, $4}' > ${TMPDIR:-/tmp}/rt.$$.rel
nm -S --size-sort "$W" | awk 'NF==4{print $1, $2, $4}' > ${TMPDIR:-/tmp}/rt.$$.syms
T=$(readelf -SW "$W" | awk '$2==".text"||$2==".text.weld_start"{print $4, $6}' | tr '\n' ' ')
python3 - ${TMPDIR:-/tmp}/rt.$$.rel ${TMPDIR:-/tmp}/rt.$$.syms $T <<'PY'
import sys,bisect,collections
rel,symf=sys.argv[1],sys.argv[2]; t=sys.argv[3:]
texts=[(int(t[i],16),int(t[i],16)+int(t[i+1],16)) for i in range(0,len(t),2)]
syms=sorted((int(a,16),int(s,16),n) for a,s,n in (l.split() for l in open(symf)))
addrs=[s[0] for s in syms]
fn=collections.Counter(); cnt=collections.Counter(); sz={}; tot=0
for l in open(rel):
    r,x=l.split(); r=int(r,16); x=int(x,16); tot+=1
    i=bisect.bisect_right(addrs,r)-1
    n=syms[i][2] if i>=0 and syms[i][0]<=r<syms[i][0]+syms[i][1] else '?'
    sz[n]=syms[i][1] if n!='?' else 0
    cnt[n]+=1
    if any(a<=x<b for a,b in texts): fn[n]+=1
for n in sorted(sz,key=lambda n:-sz[n]): print(sz[n],cnt[n],n,'F' if fn[n] else '')
print('total relative relocations',tot,'in',len(sz),'tables; bytes',sum(sz.values()))
PY
