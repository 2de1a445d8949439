#!/usr/bin/env bash
# Fails when a man page has drifted from what it documents: a forklab
# command missing from forklab(8), a benchmark or option of forklab-bench
# from forklab-bench(1), an ioctl or struct of the UAPI header from
# forklab(4); and, where groff is installed, when groff warns on a page.
# usage: man/check-man.sh DIR FORKLAB FORKLAB_BENCH   (TAP on stdout)
set -uo pipefail
dir=$1 forklab=$2 bench=$3
uapi=$(dirname "$0")/../include/uapi/forklab.h
n=0 fail=0
t() { n=$((n + 1)); if [ -z "$2" ]; then echo "ok $n - $1"; else fail=$((fail + 1)); echo "not ok $n - $1: missing $2"; fi; }
# missing PAGE PREFIX WORD...: the words PAGE lacks after PREFIX (roff
# writes '-' as '\-'), as whole words
missing() {
	local page=$1 prefix=$2 w; shift 2
	for w; do
		w=$prefix${w//-/\\-}
		# whole words: followed by a space or a quote (sed gives every line a space)
		grep -qF -e "$w " -e "$w\"" <(sed 's/$/ /' "$page") || printf '%s ' "${w#"$prefix"}"
	done
}

# the table's commands: the first word of each two-space line of --help
cmds=$("$forklab" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\).*/\1/p')
t "forklab(8) has a section for every command ($(echo $cmds))" \
	"$(missing "$dir/forklab.8" '.SS "' $cmds)"

benches=$("$bench" --help | sed -n '/^benchmarks:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
t "forklab-bench(1) has a section for every benchmark ($(echo $benches))" \
	"$(missing "$dir/forklab-bench.1" '.SS "' $benches)"
for b in $benches; do
	t "forklab-bench(1) has every option of $b" \
		"$(missing "$dir/forklab-bench.1" '' $("$bench" "$b" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p'))"
done

t "forklab(4) has every ioctl and struct of include/uapi/forklab.h" \
	"$(missing "$dir/forklab.4" '' $(grep -o 'FORKLAB_IOC_[A-Z_]*\|struct forklab_[a-z_]*' "$uapi" |
		grep -v MAGIC | sed 's/^struct //' | sort -u))"

if command -v groff > /dev/null; then
	for p in "$dir"/forklab.8 "$dir"/forklab-bench.1 "$dir"/forklab.4; do
		warn=$(groff -man -Tutf8 -ww -z "$p" 2>&1)
		t "groff -man -ww: $(basename "$p") without warnings" "${warn:+$warn}"
	done
else
	n=$((n + 1)); echo "ok $n - groff -man -ww # SKIP no groff"
fi
echo "1..$n"
[ "$fail" = 0 ]
