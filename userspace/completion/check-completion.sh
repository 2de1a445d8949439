#!/usr/bin/env bash
# Fails when forklab.bash has drifted from what it completes: it is run on
# command lines and must offer every command of the CLI's table, every mode
# and contpte policy of include/uapi/forklab.h, every scope kind, the
# options in the synopses of stats and load and every option of 'ab'.
# usage: userspace/completion/check-completion.sh FORKLAB   (TAP on stdout)
set -uo pipefail
here=$(dirname "$0")
forklab=$1
uapi=$here/../../include/uapi/forklab.h
n=0 fail=0

# bash-completion's helpers, reduced to what the tests need
_init_completion() { words=("${COMP_WORDS[@]}") cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}; }
_filedir() { :; }
# shellcheck source=forklab.bash
. "$here/forklab.bash"

# offers "DESC" "WORDS" LINE...: completing the last word of LINE offers all of WORDS
offers() {
	local desc=$1 want=$2 w missing=''; shift 2
	COMP_WORDS=(forklab "$@") COMP_CWORD=$# COMPREPLY=()
	_forklab
	for w in $want; do [[ " ${COMPREPLY[*]} " == *" $w "* ]] || missing+="$w "; done
	n=$((n + 1))
	if [ -z "$missing" ] && [ -n "$want" ]; then echo "ok $n - $desc"; else fail=$((fail + 1)); echo "not ok $n - $desc: missing ${missing:-(no words to check)}"; fi
}
# the options in a command's synopsis (forklab --help) or option list (help CMD)
synopsis() { "$forklab" --help | sed -n "s/^  $1 \(.*\)/\1/p" | grep -o -- '--[a-z]*' | sort -u; }
listname() { sed -n "s/.*X([A-Z_]*, *[0-9]*, *\"\([a-z-]*\)\".*/\1/p" <(sed -n "/define $1(X)/,/^\$/p" "$uapi"); }

cmds=$("$forklab" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
modes=$(listname FORKLAB_MODE_LIST)
policies=$(listname FORKLAB_CONTPTE_POLICY_LIST)
scopes=$("$forklab" --help | sed -n 's/^  scope \[\(.*\)\]$/\1/p' | tr '|' '\n' | awk '{ print $1 }')

offers "every command of the table ($(echo $cmds))" "$cmds" ""
offers "every command after --json" "$cmds" --json ""
offers "every mode of the UAPI ($(echo $modes))" "$modes --list" mode ""
offers "every contpte policy of the UAPI ($(echo $policies))" "$policies --list" contpte ""
offers "every scope kind of scope's synopsis ($(echo $scopes))" "$scopes" scope ""
offers "stats: the options of its synopsis" "$(synopsis stats)" stats -
offers "stats --mode: the modes" "$modes" stats --mode ""
offers "load: the options of its synopsis" "$(synopsis load)" load -
offers "load --contpte: the policies" "$policies" load --contpte ""
offers "ab: every option of 'forklab help ab'" "$("$forklab" help ab | sed -n 's/^  \(--[a-z]*\).*/\1/p')" ab -
offers "help: every command" "$cmds" help ""
echo "1..$n"
[ "$fail" = 0 ]
