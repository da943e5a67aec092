#!/usr/bin/env bash
# The README and the operator pages under docs/ stand alone and stay true: they name no file outside
# the repository, every repository path they name exists, every link between them resolves, the
# README links every page, its Layout lists every module and every package, and it gives the two
# commands. Prints "ok - ..." / "not ok - ..." per check; exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=0
report() { # report DESCRIPTION OUTPUT: OUTPUT empty is a pass; otherwise it is what is wrong
  if [[ -z "$2" ]]; then echo "ok - $1"; else echo "not ok - $1"; sed 's/^/#   /' <<<"$2"; failed=1; fi
}

pages=(README.md bench/README.md docs/*.md)
repo="$(pwd -P)"

# A page may climb to the repository's root with a relative link (docs/x.md -> ../README.md), never
# past it: a "../" anywhere else names something a reader of the repository does not have.
outside=""
for page in "${pages[@]}"; do
  dir="$(dirname "$page")"
  while IFS=: read -r line text; do
    for target in $(grep -oE '\]\([^)#]*' <<<"$text" | sed 's/^](//'); do
      [[ "$target" == http* || "$target" == mailto:* || -z "$target" ]] && continue
      resolved="$(realpath -m "$dir/$target")"
      [[ "$resolved" == "$repo"/* ]] || outside+="$page:$line links $target, outside the repository"$'\n'
    done
    without_links="$(sed -E 's/\]\([^)]*\)//g' <<<"$text")"
    grep -q '\.\./' <<<"$without_links" && outside+="$page:$line: $text"$'\n'
  done < <(grep -n '' "$page")
done
report "the READMEs and docs/ name no file outside the repository (../)" "${outside%$'\n'}"

# Paths in backticks or markdown links that start with a top-level entry of the repository must
# exist (from the repository's root); links resolve from the page's own folder. Build outputs
# (target/) and the demo's own folder (.demo/) are made by the commands.
missing=""
for page in "${pages[@]}"; do
  while IFS= read -r path; do
    path="${path#./}"
    [[ "$path" == */target/* || "$path" == .demo/* ]] && continue
    top="${path%%/*}"
    [[ -e "$top" ]] || continue
    [[ -e "$path" ]] || missing+="$page names $path, which does not exist"$'\n'
  done < <(grep -oE '`\.?/?[A-Za-z0-9._-]+/[A-Za-z0-9._/-]*' "$page" | sed -E 's/^`//' | sort -u)
  dir="$(dirname "$page")"
  while IFS= read -r target; do
    [[ "$target" == http* || "$target" == mailto:* || -z "$target" ]] && continue
    [[ -e "$dir/$target" ]] || missing+="$page links $target, which does not exist"$'\n'
  done < <(grep -oE '\]\([^)#]*' "$page" | sed 's/^](//' | sort -u)
done
report "every repository path and link the READMEs and docs/ name exists" "${missing%$'\n'}"

unlinked=""
for page in docs/*.md; do
  grep -qF "]($page)" README.md || unlinked+="README.md does not link $page"$'\n'
done
report "the README links every page under docs/" "${unlinked%$'\n'}"

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
