# Sourced by every script that runs jco (tests/component, tests/wasi2, tests/http): installs jco (pinned) into a local node_modules.
#
# jco_install DIR: `npm install` of @bytecodealliance/jco@$JCO_VERSION into DIR (kept
# between runs); sets $jco_dir. Returns 1 (with the reason on stderr) when npm cannot.
JCO_VERSION=1.35.0
jco_install() {
  jco_dir=$1
  mkdir -p "$jco_dir"
  # Stages in both lanes of tests/run.sh install into the same directory: one installs,
  # the others wait for it and then find the pinned version in place.
  (
    flock 9
    if [ -f "$jco_dir/node_modules/@bytecodealliance/jco/package.json" ] &&
      grep -q "\"version\": \"$JCO_VERSION\"" "$jco_dir/node_modules/@bytecodealliance/jco/package.json"; then
      exit 0
    fi
    if ! (cd "$jco_dir" && npm install --no-audit --no-fund --loglevel=error "@bytecodealliance/jco@$JCO_VERSION" >npm.log 2>&1); then
      echo "jco: npm install @bytecodealliance/jco@$JCO_VERSION failed (see $jco_dir/npm.log)" >&2
      exit 1
    fi
  ) 9>"$jco_dir/.install.lock"
}
