# bash completion for weld. Installed as bash-completion's `weld`; to try it from the
# sources: `source cli/completions/weld.bash`. Keep the option lists in step with
# `weld help COMMAND` (tests/cli/cli_test.sh checks that every option it lists is here).

_weld() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -s || return
  else
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  local commands="run compile compose cache validate inspect print encode audit wast plan bench serve up ps logs down diag pkg wit component help version"
  local run_opts="--invoke --bounds --tier --tier-stats --tier-up-threshold --compile-threads --allow-precompiled --no-cache --cache-dir --cache-max-bytes --fuel --max-memory --max-gc-heap --max-table-elements --max-stack
    --max-instances --timeout --trap-on-grow-failure --report --audit-first --dir --env
    --policy --preset --profile --log-denials --tcplisten --help"
  local presets="isolated readonly-fs cli"

  # the command: the first word after `weld` that is not an option; `weld FILE` is run
  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    case "${words[i]}" in
      -*) ;;
      *) cmd="${words[i]}"; break ;;
    esac
  done
  case "$cmd" in
    run|compile|compose|cache|validate|inspect|print|encode|audit|wast|plan|bench|serve|up|ps|logs|down|diag|pkg|wit|component|help|version) ;;
    "") ;;
    *) return 0 ;;                       # after weld FILE: the module's own arguments
  esac

  # `--opt=value`: complete the value after the `=`
  local opt="$prev" val="$cur"
  if [[ "$cur" == --*=* ]]; then
    opt="${cur%%=*}"
    val="${cur#*=}"
  elif [ "$prev" = "=" ] && [ "$cword" -ge 2 ]; then
    opt="${words[cword-2]}"         # COMP_WORDBREAKS split `--opt=val` without _init_completion
  elif [ "$cur" = "=" ]; then
    opt="$prev"
    val=""
  fi
  local values=""
  case "$opt" in
    --preset) values="$presets" ;;
    --profile) values="guest perfmap $presets" ;;
    --bounds) values="guard explicit" ;;
    --tier) values="interp baseline auto optimized" ;;
    --format) values="md json" ;;
    --method) values="exact exhaustive greedy" ;;
    --coefficients) COMPREPLY=($(compgen -f -X '!*.toml' -- "$val") $(compgen -d -- "$val")); return 0 ;;
    --dir|--cache-dir) COMPREPLY=($(compgen -d -- "$val")); return 0 ;;
    --output|-o) COMPREPLY=($(compgen -f -- "$val")); return 0 ;;
    --standard) values="2.0 3.0" ;;
    --policy) COMPREPLY=($(compgen -f -X '!*.toml' -- "$val") $(compgen -d -- "$val")); return 0 ;;
    --report|--log) COMPREPLY=($(compgen -f -- "$val")); return 0 ;;
    --invoke|--fuel|--max-memory|--max-gc-heap|--max-table-elements|--max-stack|--max-instances|--timeout|\
    --env|--tcplisten|--name|--cache-max-bytes) return 0 ;;
  esac
  if [ -n "$values" ]; then
    COMPREPLY=($(compgen -W "$values" -- "$val"))
    return 0
  fi

  local opts="" files="*.@(wasm|wat)"
  case "$cmd" in
    "")
      if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "--help --version $run_opts" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        COMPREPLY+=($(compgen -f -X "!$files" -- "$cur") $(compgen -d -- "$cur"))
      fi
      return 0 ;;
    run)
      # after the module every word is the module's
      for ((i = 2; i < cword; i++)); do
        case "${words[i]}" in
          --) ;;
          --*=*|--trap-on-grow-failure|--audit-first|--log-denials|--allow-precompiled|--no-cache|--tier-stats) ;;
          -*) ((i++)) ;;
          *) return 0 ;;
        esac
      done
      opts="$run_opts" ;;
    compile) opts="-o --output --tier --bounds --standard --help" ;;
    compose) opts="--plug -o --output --help" ;;
    cache)
      opts="--cache-dir --cache-max-bytes --help"
      if [[ "$cur" != -* ]]; then COMPREPLY=($(compgen -W "info dir clean evict" -- "$cur")); return 0; fi ;;
    validate) opts="-q --quiet --help" ;;
    inspect) opts="--json --help" ;;
    print) opts="--flat --folded --help" ;;
    encode) opts="--output -o --help" ;;
    audit) opts="--policy --preset --profile --format --help" ;;
    plan) opts="--explain --json --method --coefficients --history --help"; files="*.toml" ;;
    bench) opts="efficiency --json --pool --work --runs --live --budget --cap --invoke --tier --help"; files="*.wasm" ;;
    up) opts="--foreground --metrics --replan --history --help"; files="*.toml" ;;
    plan) opts="--explain --json --method --coefficients --help"; files="*.toml" ;;
    serve) opts="--addr --timeout --fuel --max-memory --max-stack --max-table-elements --max-instances --dir --env --policy --preset --log-denials --help"; files="*.wasm" ;;
    up) opts="--foreground --metrics --help"; files="*.toml" ;;
    ps|down) opts="--help" ;;
    logs) opts="-f --follow --app --help" ;;
    diag) opts="--mermaid --prometheus --dot --png --otel --help" ;;
    wast) opts="--log --name --fuel --bounds --tier --tier-stats --tier-up-threshold --standard -v --verbose --help"; files="*.wast" ;;
    component)
      if [ "$cword" -eq $((i + 1)) ]; then
        COMPREPLY=($(compgen -W "new" -- "$cur"))
        return 0
      fi
      opts="--wit --world -o --output --emit-wat --help"; files="*.wasm" ;;
    wit)
      local sub="" j
      for ((j = i + 1; j < cword; j++)); do
        case "${words[j]}" in -*) ;; *) sub="${words[j]}"; break ;; esac
      done
      if [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "check print bindgen" -- "$cur"))
        return 0
      fi
      opts="-q --quiet --world --lang -o --out-dir --help"; files="*.wit" ;;
    pkg)
      # the subcommand first, then its options
      local sub="" j
      for ((j = i + 1; j < cword; j++)); do
        case "${words[j]}" in -*) ;; *) sub="${words[j]}"; break ;; esac
      done
      if [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "new add install tree publish yank search verify cache run keygen build" -- "$cur"))
        return 0
      fi
      case "$sub" in
        new) opts="--dir --lang" ;;
        add) opts="--registry --project --optional --features" ;;
        install) opts="--registry --project --locked --features --no-default-features --trusted-key --require-signatures --policy" ;;
        tree) opts="--project --json" ;;
        publish) opts="--registry --project --sign" ;;
        verify) opts="--registry --project" ;;
        keygen) opts="--dir" ;;
        build) opts="--project" ;;
        yank) opts="--registry --undo" ;;
        search) opts="--registry --json" ;;
        cache) opts="--json"; [[ "$cur" != -* ]] && { COMPREPLY=($(compgen -W "dir size clean" -- "$cur")); return 0; } ;;
        *) opts="--registry" ;;
      esac
      opts="$opts --help"; files="*" ;;
    help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return 0 ;;
    version) return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -X "!$files" -- "$cur") $(compgen -d -- "$cur"))
  fi
  return 0
}
shopt -s extglob 2>/dev/null
complete -F _weld -o filenames weld
