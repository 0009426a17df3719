#!/usr/bin/env bash
# The installed library, as an embedder gets it:
#
#   tests/install/run.sh [BUILD]        (default: build; built with `make build`)
#
# installs BUILD into a fresh prefix with `cmake --install`, then builds and runs
# examples/embed.c against it three ways (pkg-config with the shared library, pkg-config
# --static fully static, and a CMake project using find_package(weld) with both targets),
# builds every tests/capi program (the standard C API: wasm.h alone) with pkg-config and runs
# it against libweld.so, checks that the libraries export exactly the functions the public
# headers declare (read from the headers by clang's parser, compared with nm's view of the
# libraries), and that a program with its own functions under weld's internal names links
# and runs with either library, and runs the README's recipes (compile C to WebAssembly, embed
# with pkg-config, the quick start) and `make run`'s onboarding as written. Ends with
# `N passed, M failed`.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$(pwd)/$build" ;; esac
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init install "$build/weld" cc cmake pkg-config nm readelf clang wat2wasm

prefix="$tmp/prefix"
embed_wasm="$root/examples/embed.wasm"

# What examples/embed.c prints, checked independently of how it was linked.
expected_embed() {
  cat <<'EOF'
host: adding 20 + 22
add_via_host(20, 22) = 42
count = 1, host calls = 1
div(1, 0) trapped: integer divide by zero (in div)
EOF
}
expected_embed >embed.expected

# run_embed LABEL EXE: runs an embed.c build on examples/embed.wasm against the expected output.
run_embed() {
  label=$1
  local out
  out="$("$2" "$embed_wasm" 2>&1)"
  local rc=$?
  if [ $rc -eq 0 ] && [ "$out" = "$(cat embed.expected)" ]; then
    ok
  else
    bad "exit $rc, output:"$'\n'"$out"
  fi
}

# needed EXE: the shared libraries an executable names (none for a static one).
needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

# ---- cmake --install ------------------------------------------------------------------------
label="cmake --install"
if cmake --install "$build" --prefix "$prefix" >install.log 2>&1; then ok; else bad "$(tail -n 5 install.log)"; fi
# GNUInstallDirs may choose lib, lib64 or lib/<multiarch>: where weld.pc went says which.
pc="$(find "$prefix" -name weld.pc 2>/dev/null | head -n 1)"
libdir="$prefix/lib"
[ -n "$pc" ] && libdir="$(cd "$(dirname "$pc")/.." && pwd)"

label="installed files"
missing=""
for f in bin/weld include/weld.h; do [ -e "$prefix/$f" ] || missing+=" $f"; done
for f in libweld.so libweld.so.0 libweld.a pkgconfig/weld.pc cmake/weld/weldConfig.cmake \
  cmake/weld/weldConfigVersion.cmake cmake/weld/weldTargets.cmake; do
  [ -e "$libdir/$f" ] || missing+=" lib/$f"
done
if [ -z "$missing" ]; then ok; else bad "missing:$missing"; fi

label="SONAME and versioned file"
soname="$(readelf -d "$libdir/libweld.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
real="$(basename "$(readlink -f "$libdir/libweld.so")")"
version="$(sed -n 's/^project(weld VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
if [ "$soname" = "libweld.so.${version%%.*}" ] && [ "$real" = "libweld.so.$version" ] &&
  [ "$(readlink "$libdir/libweld.so")" = "$soname" ]; then
  ok
else
  bad "SONAME '$soname', libweld.so -> '$(readlink "$libdir/libweld.so")', file '$real' (version $version)"
fi

# The public headers are exactly include/*.h; the installed package points only at them.
label="headers: public only"
want="$(cd "$root/include" && ls -- *.h | sort)"
got="$(cd "$prefix/include" 2>/dev/null && ls | sort)"
if [ "$want" = "$got" ] && ! grep -q "$root/src" "$libdir/cmake/weld/"*.cmake "$libdir/pkgconfig/weld.pc"; then
  ok
else
  bad "installed include/: $(echo $got), expected $(echo $want); or src/ named by the package"
fi

label="man page and completions (those the sources have)"
missing=""
for pair in docs/weld.1:share/man/man1/weld.1 \
  cli/completions/weld.bash:share/bash-completion/completions/weld \
  cli/completions/_weld:share/zsh/site-functions/_weld; do
  src=${pair%%:*} dst=${pair#*:}
  if [ -f "$root/$src" ] && ! cmp -s "$root/$src" "$prefix/$dst"; then missing+=" $dst"; fi
done
if [ -z "$missing" ]; then ok; else bad "not installed:$missing"; fi

label="installed weld runs"
if "$prefix/bin/weld" validate "$root/examples/fac.wasm" >/dev/null 2>&1; then ok; else bad "bin/weld validate failed"; fi

# ---- pkg-config ----------------------------------------------------------------------------
export PKG_CONFIG_PATH="$libdir/pkgconfig"
label="pkg-config shared: build"
if cc -o embed_pc "$root/examples/embed.c" $(pkg-config --cflags --libs weld) \
  -Wl,-rpath,"$libdir" 2>build.log; then
  ok
  label="pkg-config shared: links libweld.so.0"
  if needed embed_pc | grep -qx 'libweld.so.0'; then ok; else bad "NEEDED: $(needed embed_pc | tr '\n' ' ')"; fi
  run_embed "pkg-config shared: run" ./embed_pc
else
  bad "$(head -n 5 build.log)"
fi

# Fully static: Libs.private must bring everything libweld.a needs. (glibc warns that
# getaddrinfo in a static program needs its shared libraries at run time; that is glibc's.)
label="pkg-config --static: build"
if cc -static -o embed_static "$root/examples/embed.c" $(pkg-config --static --cflags --libs weld) 2>build.log; then
  ok
  label="pkg-config --static: static executable"
  if [ -z "$(needed embed_static)" ]; then ok; else bad "NEEDED: $(needed embed_static | tr '\n' ' ')"; fi
  run_embed "pkg-config --static: run" ./embed_static
else
  bad "$(head -n 5 build.log)"
fi

# ---- programs written for the standard C API alone (tests/capi), against the installed wasm.h --
# Each is built with nothing but pkg-config's flags (so wasm.h and weld_wasm.h come from the
# prefix) and linked to libweld.so; its output must be the one tests/capi/NAME.out gives.
for src in "$root"/tests/capi/*.c; do
  name="$(basename "$src" .c)"
  label="wasm.h program $name: build with pkg-config"
  if ! cc -std=c11 -Wall -Werror -o "capi_$name" "$src" $(pkg-config --cflags --libs weld) \
    -Wl,-rpath,"$libdir" 2>build.log; then
    bad "$(head -n 5 build.log)"
    continue
  fi
  ok
  label="wasm.h program $name: run against libweld.so"
  arg=()
  if [ -f "$root/tests/capi/$name.wat" ]; then
    wat2wasm "$root/tests/capi/$name.wat" -o "$name.wasm" && arg=("$(pwd)/$name.wasm")
  fi
  out="$(mkdir -p "run_$name" && cd "run_$name" && "../capi_$name" "${arg[@]}" 2>capi.err)"
  rc=$?
  if [ $rc -eq 0 ] && [ "$out" = "$(cat "$root/tests/capi/$name.out")" ] && [ ! -s "run_$name/capi.err" ]; then
    ok
  else
    bad "exit $rc; $(diff <(echo "$out") "$root/tests/capi/$name.out" | head -n 10) $(head -c 300 "run_$name/capi.err")"
  fi
done

# ---- find_package(weld) -----------------------------------------------------------------------
label="find_package: configure and build"
if cmake -S "$root/tests/install/consumer" -B consumer -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DEMBED_C="$root/examples/embed.c" >consumer.log 2>&1 &&
  cmake --build consumer >>consumer.log 2>&1; then
  ok
  label="find_package: weld::weld is the shared library"
  if needed consumer/embed_shared | grep -qx 'libweld.so.0'; then ok; else bad "NEEDED: $(needed consumer/embed_shared | tr '\n' ' ')"; fi
  label="find_package: weld::weld_static is the static library"
  if ! needed consumer/embed_static | grep -q libweld; then ok; else bad "links libweld.so"; fi
  run_embed "find_package: weld::weld run" consumer/embed_shared
  run_embed "find_package: weld::weld_static run" consumer/embed_static
else
  bad "$(grep -iE 'error' consumer.log | head -n 5)"
fi

# ---- exported symbols --------------------------------------------------------------------------
# The reference: every function the installed headers declare (clang's AST; static inline
# helpers excluded, they are compiled into the caller).
for h in "$prefix"/include/*.h; do
  clang -Xclang -ast-dump -fsyntax-only -x c -I"$prefix/include" "$h" 2>/dev/null |
    grep -E '^[|` -]*FunctionDecl ' | grep -v "' static" |
    sed -nE 's/.* (weld_[A-Za-z0-9_]+|wasm_[A-Za-z0-9_]+) '\''.*/\1/p'
done | sort -u >api.txt
label="public headers parsed"
if [ "$(grep -c '^weld_' api.txt)" -gt 0 ]; then ok; else bad "no weld_ function found in the headers"; fi

# check_exports WHAT FILE: FILE lists a library's global defined symbols.
check_exports() {
  local what=$1 file=$2
  label="$what: listed"
  if [ -s "$file" ]; then ok; else bad "no symbols (is the library installed?)"; return; fi
  label="$what: only weld_* and wasm_* names"
  local stray
  stray="$(grep -vE '^(weld|wasm)_' "$file")"
  if [ -z "$stray" ]; then ok; else bad "$(wc -l <<<"$stray") others: $(head -n 8 <<<"$stray" | tr '\n' ' ')"; fi
  label="$what: nothing the headers do not declare"
  stray="$(comm -23 "$file" api.txt)"
  if [ -z "$stray" ]; then ok; else bad "$(wc -l <<<"$stray") undeclared: $(head -n 8 <<<"$stray" | tr '\n' ' ')"; fi
  label="$what: every declared function"
  stray="$(comm -13 "$file" api.txt)"
  if [ -z "$stray" ]; then ok; else bad "$(wc -l <<<"$stray") missing: $(head -n 8 <<<"$stray" | tr '\n' ' ')"; fi
}
nm -D --defined-only "$libdir/libweld.so" 2>/dev/null | awk 'NF == 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >shared.txt
nm -g --defined-only "$libdir/libweld.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >static.txt
echo "libweld.so exports $(wc -l <shared.txt), libweld.a has $(wc -l <static.txt) global symbols, the headers declare $(wc -l <api.txt) functions"
check_exports "libweld.so dynamic symbols" shared.txt
check_exports "libweld.a global symbols" static.txt

# ---- weld's internal names are free for the embedder ---------------------------------------------
printf '[fs]\nread = [\n' >bad-policy.toml
clash_expected="policy: bad-policy.toml:2:8: unterminated array
add(40, 2) = 42"
for lib in libweld.a libweld.so; do
  label="own toml_parse, util_fail... with $lib: link"
  if [ $lib = libweld.a ]; then
    link=("$libdir/libweld.a" -lm -lpthread)
  else
    link=(-L"$libdir" -lweld -Wl,-rpath,"$libdir")
  fi
  if cc -I"$prefix/include" -o "clash_$lib" "$root/tests/install/clash.c" "${link[@]}" 2>build.log; then
    ok
    label="own toml_parse, util_fail... with $lib: run"
    out="$(./"clash_$lib" bad-policy.toml 2>&1)"
    rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "$clash_expected" ]; then ok; else bad "exit $rc: $out"; fi
  else
    bad "$(head -n 5 build.log)"
  fi
done

# ---- the README's recipes, as written there --------------------------------------------------------
readme="$root/README.md"
# "Compile a C program to WebAssembly and run it": its hello.c, its clang line, its weld line and
# the output it shows
section="$(sed -n '/^### Compile a C program to WebAssembly and run it/,/^### /p' "$readme")"
sed -n '/^\$ cat hello.c$/,/^\$ clang /p' <<<"$section" | sed '1d;$d' >hello.c
clang_line="$(sed -n 's/^\$ \(clang .*\)$/\1/p' <<<"$section")"
weld_line="$(sed -n 's/^\$ build\/weld \(run .*\)$/\1/p' <<<"$section")"
want="$(sed -n '/^\$ build\/weld run /{n;p;}' <<<"$section")"
label="README: compile a C program to WebAssembly and run it"
if [ -s hello.c ] && [ -n "$clang_line" ] && [ -n "$weld_line" ] && [ -n "$want" ]; then
  if eval "$clang_line" 2>cc.log; then
    got="$(eval "\"\$weld\" $weld_line" 2>&1)"
    if [ "$got" = "$want" ]; then ok; else bad "README shows '$want', weld printed '$got'"; fi
  else
    bad "'$clang_line' failed: $(head -n 3 cc.log)"
  fi
else
  bad "the section's hello.c, clang line, weld line or output not found"
fi
# "Embed weld in your program": each `cc app.c ...` line with examples/embed.c as app.c
cp "$root/examples/embed.c" app.c
n=0
while read -r line; do
  line="${line%%#*}"
  n=$((n + 1))
  label="README: embed line $n: $line"
  rm -f a.out
  if eval "$line" 2>build.log; then
    ok
    LD_LIBRARY_PATH="$libdir" run_embed "README: embed line $n: run" ./a.out
  else
    bad "$(head -n 3 build.log)"
  fi
done < <(sed -n '/^### Embed weld in your program/,/^## /p' "$readme" | grep '^cc app\.c ')
label="README: embed lines found"
if [ $n -eq 2 ]; then ok; else bad "$n lines 'cc app.c ...', expected 2 (shared and static)"; fi
# "Quick start": each `$ build/weld ...` line that shows its output and names files the checkout has
n=0
while IFS=$'\t' read -r cmd want; do
  args="${cmd%%#*}"
  missing=""
  for a in $args; do case "$a" in *.wasm | *.wat | *.wast | *.toml) [ -e "$root/$a" ] || missing=1 ;; esac; done
  [ -n "$missing" ] && continue
  n=$((n + 1))
  label="README: weld $args"
  got="$(cd "$root" && eval "\"\$weld\" $args" 2>&1)"
  if [ "$got" = "$want" ]; then ok; else bad "README shows '$want', weld printed '$got'"; fi
done < <(sed -n '/^## Quick start/,/^### /p' "$readme" | awk '
  /^\$ build\/weld / { if (cmd != "" && out != "") print cmd "\t" out; cmd = substr($0, 14); out = ""; next }
  /^```/ || /^\$/ { if (cmd != "" && out != "") print cmd "\t" out; cmd = ""; out = ""; next }
  cmd != "" { out = (out == "" ? $0 : out " " $0) }')
label="README: quick start lines checked"
if [ $n -ge 2 ]; then ok; else bad "only $n '\$ build/weld' lines with output found"; fi

# ---- onboarding: `make run` needs only what building needs ---------------------------------------
# tests/deps.sh build against a fake dpkg-query (nothing installed) and apt-get (records what it
# would install): only build tools and the optional libraries the build uses, none of the tests'
label="make run installs only the build's packages"
mkdir -p fakebin
printf '#!/bin/sh\nexit 1\n' >fakebin/dpkg-query
printf '#!/bin/sh\necho "$@" >>"%s/apt.log"\n' "$(pwd)" >fakebin/apt-get
printf '#!/bin/sh\nexec "$@"\n' >fakebin/sudo
chmod +x fakebin/*
make -n -C "$root" run >make-n.txt 2>&1
if grep -qx '\./tests/deps\.sh build' make-n.txt && ! grep -q 'deps\.sh test' make-n.txt &&
  PATH="$(pwd)/fakebin:$PATH" "$root/tests/deps.sh" build >/dev/null 2>&1; then
  pkgs="$(sed -n 's/^install -y -qq //p' apt.log | tr ' ' '\n' | sort)"
  # the libraries the build links (curl: registries and wasi:http, archive: image layers,
  # sodium: package signatures, microhttpd: weld serve)
  allowed="binutils cmake gcc libarchive-dev libc6-dev libcurl4-openssl-dev libmicrohttpd-dev libsodium-dev make"
  stray="$(comm -23 <(echo "$pkgs") <(tr ' ' '\n' <<<"$allowed" | sort))"
  if [ -n "$pkgs" ] && [ -z "$stray" ] && grep -qx cmake <<<"$pkgs" && grep -qx gcc <<<"$pkgs"; then
    ok
  else
    bad "deps.sh build would install: $(echo $pkgs) (not build tools: $(echo $stray))"
  fi
else
  bad "make run does not call tests/deps.sh build alone, or deps.sh build failed: $(head -n 4 make-n.txt)"
fi
# examples/run.sh (what `make run` shows) with nothing but bash and coreutils on the PATH: no
# wabt, clang or Node.js (the committed examples/*.wasm are used)
label="make run's example without wabt on the PATH"
mkdir -p minbin
for t in bash dirname basename; do ln -sf "$(command -v $t)" minbin/; done
if PATH="$(pwd)/minbin" bash "$root/examples/run.sh" "$build/weld" >example.txt 2>&1 &&
  grep -qx 2432902008176640000 example.txt && grep -qx 'add_via_host(20, 22) = 42' example.txt; then
  ok
else
  bad "$(tail -n 5 example.txt)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
