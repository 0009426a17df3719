# Sourced by tests/wasi/run.sh and tests/wasi2/run.sh: runs a build of tests/wasi/progs/tty.c
# (native or under weld) with its standard streams on one kind of file, so that what its
# isatty() calls print can be compared between the native build and weld.
#
#   tty_streams HOW OUT CMD...
#
# HOW: devnull (all three on /dev/null; the report goes to stderr, into OUT), pipe (stdin and
# stdout pipes), file (stdin a regular file, TTY_INPUT_FILE; stdout OUT), terminal (a
# pseudo-terminal from script(1); OUT left empty when it is missing, which the callers
# count as a failure).
tty_streams() {
  local how=$1 out=$2
  shift 2
  case $how in
    devnull) "$@" err </dev/null >/dev/null 2>"$out" ;;
    pipe) echo x | "$@" 2>/dev/null | cat >"$out" ;;
    file) "$@" <"$TTY_INPUT_FILE" >"$out" 2>"$out.err" ;;
    terminal)
      if command -v script >/dev/null; then
        script -qec "$(printf '%q ' "$@")" /dev/null </dev/null | tr -d '\r' >"$out"
      else
        : >"$out" # empty: the comparison fails rather than passing on no terminal at all
      fi ;;
    *) echo "tty_streams: unknown kind $how" >"$out" ;;
  esac
}
