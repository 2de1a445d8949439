#!/bin/sh
# 'make selftest' as it runs on an installed machine (tests/vm/selftest.sh):
# its output is KTAP (version line, plan first, one result per test, numbered
# in order, "# SKIP" for skips, "# Totals:" that add up), its exit status
# follows kselftest (0 passed, 4 all skipped), and it leaves the machine as it
# found it: a module it loaded is gone, a loaded one has its mode and scope.
. /forklab/tests/lib.sh
ST=/forklab/tests/selftest.sh

# ktap FILE: FILE is KTAP whose totals are PASS FAIL SKIP ($1..$3 after it)
ktap() {
	awk -v want_pass="$2" -v want_fail="$3" -v want_skip="$4" '
		NR == 1 { if ($0 != "TAP version 13") bad = bad " no version line;"; next }
		NR == 2 { if ($0 !~ /^1\.\.[0-9]+$/) bad = bad " no plan after it;"; plan = substr($0, 4); next }
		/^(ok|not ok) / {
			n++
			num = $1 == "ok" ? $2 : $3
			if (num != n) bad = bad " result " n " numbered " num ";"
			if ($1 == "not") fail++; else if (/ # SKIP /) skip++; else pass++
			next
		}
		/^# Totals: / { totals = $0; next }
		!/^#/ { bad = bad " a line that is neither a result nor a comment: " $0 ";" }
		END {
			if (n != plan) bad = bad " " n " results for a plan of " plan ";"
			want = sprintf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0", pass, fail, skip)
			if (totals != want) bad = bad " totals \"" totals "\", counted \"" want "\";"
			if (pass + 0 != want_pass || fail + 0 != want_fail || skip + 0 != want_skip)
				bad = bad " pass/fail/skip " pass + 0 "/" fail + 0 "/" skip + 0 ", wanted " want_pass "/" want_fail "/" want_skip ";"
			if (bad != "") { print "not KTAP as wanted:" bad; exit 1 }
		}' "$1"
}

# show: what a failed run said, but its passes
show() { grep -Ev '^# ([a-z]+: )?(# )?ok ' /tmp/st.out | sed 's/^/#   | /' | head -60; }

# not root: every test skips, exit 4
su -s /bin/sh -c "$ST --bin /forklab/bin --ko $KO" nobody >/tmp/st.out 2>&1
rc=$?
t "as nobody: exit 4 (kselftest's skip): got $rc" [ "$rc" = 4 ]
t "  ... KTAP, every test skipped" ktap /tmp/st.out 0 0 6
t_grep "  ... and says why" "# SKIP needs root" /tmp/st.out

# The suites themselves run in their own suites (fl-ioctl-test, t-diff.sh,
# t-race.sh, t-cow.sh...): here a few, for what the runner does around them.
# The module not loaded (and not installed here: modprobe finds none), so
# --ko; mm/cow in every mode on the default target only (36 s there).
only="ioctl storm race" want=3
[ "$TARGET" = x86_64-6.1 ] && only="$only cow" want=4
$ST --bin /forklab/bin --ko $KO --kmod /forklab --cow /forklab/bin/cow --seconds 2 --only "$only" >/tmp/st.out 2>&1
rc=$?
t "not loaded: selftest.sh loads the module, exit 0: got $rc" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
t "  ... KTAP, $want passed: $only" ktap /tmp/st.out $want 0 0
if [ $want = 4 ]; then
	t_grep "  ... mm/cow ran in every mode" "^# batched: exit 0, Totals: pass:" /tmp/st.out
fi
t "  ... and the module it loaded is gone" [ ! -d /sys/module/forklab ]

# loaded in mode batched, scope comm (and a contpte policy): they come
# back; without --kmod and --cow those two skip (named), the run passes
insmod $KO mode=batched || nok "insmod mode=batched"
forklab scope comm fl-nobody >/dev/null
# arm64: a contpte policy of forklab's own comes back too
policy=kernel
policies | grep -qx unfold && policy=unfold
forklab contpte $policy >/dev/null
$ST --bin /forklab/bin --seconds 2 --only "walk storm race cow" >/tmp/st.out 2>&1
rc=$?
t "loaded: exit 0: got $rc" [ "$rc" = 0 ]
[ "$rc" = 0 ] || show
t "  ... KTAP, walk and storm passed, race and cow skipped" ktap /tmp/st.out 2 0 2
t_grep "  ... the race's skip names the pinner module" "race: .* # SKIP no fl_pinner module" /tmp/st.out
t "  ... mode batched again" sh -c '[ "$(forklab mode)" = batched ]'
t "  ... scope comm fl-nobody again" sh -c '[ "$(forklab scope)" = "scope: comm fl-nobody" ]'
t "  ... contpte policy $policy again" sh -c "[ \"\$(forklab contpte)\" = $policy ]"
forklab mode stock >/dev/null && forklab contpte kernel >/dev/null
rmmod forklab

t_exit "an unknown argument: exit 2" 2 $ST --bogus
t_grep "  ... and says so" "unknown argument '--bogus'" /tmp/t.out
t_exit "an unknown test: exit 2" 2 $ST --only "walk bogus"
t_grep "  ... and names the tests" "no test 'bogus' (the tests: ioctl walk diff storm race cow)" /tmp/t.out
t_done
