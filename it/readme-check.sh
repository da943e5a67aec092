#!/usr/bin/env bash
# The README stands alone and stays true: it names no file outside the repository, every repository
# path it names exists, its Layout lists every module and every package, and it gives the two
# commands. Prints "ok - ..." / "not ok - ..." per check; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=0
report() { # report DESCRIPTION OUTPUT: OUTPUT empty is a pass; otherwise it is what is wrong
  if [[ -z "$2" ]]; then echo "ok - $1"; else echo "not ok - $1"; sed 's/^/#   /' <<<"$2"; failed=1; fi
}

readmes=(README.md bench/README.md)

report "the READMEs name no file outside the repository (../)" \
  "$(grep -n '\.\./' "${readmes[@]}")"

# Paths in backticks or markdown links that start with a top-level entry of the repository must
# exist; build outputs (target/) and the demo's own folder (.demo/) are made by the commands.
missing=""
for readme in "${readmes[@]}"; do
  while IFS= read -r path; do
    path="${path#./}"
    [[ "$path" == */target/* || "$path" == .demo/* ]] && continue
    top="${path%%/*}"
    [[ -e "$top" ]] || continue
    [[ -e "$path" ]] || missing+="$readme names $path, which does not exist"$'\n'
  done < <(grep -oE '(`|\]\()\.?/?[A-Za-z0-9._-]+/[A-Za-z0-9._/-]*' "$readme" | sed -E 's/^(`|\]\()//' | sort -u)
done
report "every repository path the READMEs name exists" "${missing%$'\n'}"

# The Layout section: each module, and each package directory under it, on a line of its own.
layout="$(sed -n '/^## Layout/,/^## /p' README.md)"
absent=""
for module in gateway-*/; do
  module="${module%/}"
  grep -qE "^$module/ " <<<"$layout" || absent+="module $module"$'\n'
  root="$module/src/main/java/dev/ferry"
  for package in "$root"/*/*/; do
    [[ -d "$package" ]] || continue
    name="$(basename "$package")"
    grep -qE "^  $name/ " <<<"$layout" || absent+="package ${package#"$root"/} of $module"$'\n'
  done
done
report "the Layout section lists every module and every package" "${absent%$'\n'}"

commands=""
grep -q '^\./run-demo\.sh' README.md || commands+="no ./run-demo.sh line"$'\n'
grep -q '^\./tests\.sh' README.md || commands+="no ./tests.sh line"$'\n'
report "the README gives the two commands (./run-demo.sh, ./tests.sh)" "${commands%$'\n'}"

exit "$failed"
