# Sourced by the host tests: TAP results, counted for the plan at the end.
T_N=0 T_FAIL=0
ok()  { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
nok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
