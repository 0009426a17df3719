# Sourced by jco.sh and jco_suite.sh: installs jco (pinned) into a local node_modules.
#
# jco_install DIR: `npm install` of @bytecodealliance/jco@$JCO_VERSION into DIR (kept
# between runs); sets $jco_dir. Returns 1 (with the reason on stderr) when npm cannot.
JCO_VERSION=1.35.0
jco_install() {
  jco_dir=$1
  if [ -f "$jco_dir/node_modules/@bytecodealliance/jco/package.json" ] &&
    grep -q "\"version\": \"$JCO_VERSION\"" "$jco_dir/node_modules/@bytecodealliance/jco/package.json"; then
    return 0
  fi
  mkdir -p "$jco_dir"
  if ! (cd "$jco_dir" && npm install --no-audit --no-fund --loglevel=error "@bytecodealliance/jco@$JCO_VERSION" >npm.log 2>&1); then
    echo "jco: npm install @bytecodealliance/jco@$JCO_VERSION failed (see $jco_dir/npm.log)" >&2
    return 1
  fi
}
