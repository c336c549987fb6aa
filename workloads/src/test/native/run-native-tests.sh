#!/bin/sh
# run-native-tests.sh NATIVE_DIR [GUEST_DIR FAKE_MONITOR]
#
# 1. Runs the native builds of the workloads and test guests and checks
#    stdout and exit status (the lines the VM runs must print too).
# 2. If GUEST_DIR and FAKE_MONITOR are given, runs the guest ELFs under
#    fake_monitor (no KVM needed; see fake_monitor.c) with every transport
#    and checks they print exactly what the native builds print.
# Uses python3 as the echo client; loopback only.
# Usage: make -C workloads check-native
set -u

DIR=${1:-$(dirname "$0")/../../../target/native}
GDIR=${2:-}
FAKE=${3:-}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/torovj-native.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
FAILS=0
PASSES=0

ok()   { PASSES=$((PASSES + 1)); echo "ok   $1"; }
bad()  { FAILS=$((FAILS + 1)); echo "FAIL $1"; }

# expect NAME WANT_RC WANT_STDOUT CMD...
expect() {
    name=$1 want_rc=$2 want_out=$3
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ]; then
        ok "$name"
    else
        bad "$name: rc=$rc (want $want_rc), stdout=[$out] (want [$want_out]), stderr=[$(cat "$TMP/err")]"
    fi
}

expect helloworld 0 "Hello, World!" "$DIR/helloworld"
[ "$(od -An -c "$TMP/out" | tr -d ' ')" = 'Hello,World!\n' ] && ok "helloworld exact bytes" || bad "helloworld exact bytes"
expect "nullcall 1000" 0 "nullcall: 1000 calls" "$DIR/nullcall" 1000
expect "nullcall default" 0 "nullcall: 100000 calls" "$DIR/nullcall"
expect "write 1000 64" 0 "write: 1000 x 64 bytes" "$DIR/write" 1000 64
expect "fileio 65536 tmp" 0 "fileio: 65536 bytes verified" "$DIR/fileio" 65536 "$TMP"
expect "fileio 10000 (partial chunk)" 0 "fileio: 10000 bytes verified" "$DIR/fileio" 10000 "$TMP"
[ ! -e "$TMP/torovj-fileio.tmp" ] && ok "fileio unlinked its file" || bad "fileio left its file"
expect "fileio bad dir" 1 "" "$DIR/fileio" 100 "$TMP/does-not-exist"
expect "mmap 100 16" 0 "mmap: 100 x 16 pages" "$DIR/mmap" 100 16
expect "args a b c" 0 "argc=4
argv[0]=$DIR/args
argv[1]=a
argv[2]=b
argv[3]=c
TOROVJ_TEST=hello world" env TOROVJ_TEST="hello world" "$DIR/args" a b c
expect "printf_test" 0 "printf_test: 55/55 passed" "$DIR/printf_test"
expect badptr 0 "badptr: -14 -14 -14" "$DIR/badptr"
expect "badptr 0x40000000" 0 "badptr: -14 -14 -14" "$DIR/badptr" 0x40000000
"$DIR/denied" >"$TMP/out" 2>&1
rc=$?
case "$(cat "$TMP/out")" in
"denied: getpid="[1-9]*) [ "$rc" = 1 ] && ok "denied (getpid allowed natively -> exit 1)" || bad "denied rc=$rc" ;;
*) bad "denied output [$(cat "$TMP/out")]" ;;
esac
"$DIR/nullread" >"$TMP/out" 2>/dev/null
rc=$?
[ "$rc" -ge 128 ] && [ "$(cat "$TMP/out")" = "about to read NULL" ] && ok "nullread faults (rc=$rc)" || bad "nullread rc=$rc"

# latency file: count == N, capacity 1M, samples present
TOROVJ_LATENCY_FILE="$TMP/lat.bin" "$DIR/nullcall" 1000 >/dev/null
python3 - "$TMP/lat.bin" <<'PY' && ok "latency file (nullcall 1000)" || bad "latency file"
import struct, sys
d = open(sys.argv[1], 'rb').read()
cap, cnt = struct.unpack_from('<QQ', d)
assert cap == 1048576 and cnt == 1000 and len(d) == 16 + 8 * 1000, (cap, cnt, len(d))
assert all(s > 0 for s in struct.unpack_from('<1000Q', d, 16))
PY
TOROVJ_LATENCY_FILE="$TMP/lat2.bin" "$DIR/mmap" 10 4 >/dev/null
python3 -c "import struct,sys; c=struct.unpack_from('<QQ',open(sys.argv[1],'rb').read()); sys.exit(c!=(1048576,20))" "$TMP/lat2.bin" \
    && ok "latency file (mmap 10: 2N samples)" || bad "latency file (mmap)"

# run_echo NAME CMD... : echo server in the background, python3 client on
# loopback; the server must print "echo: 550 bytes" and exit 0.
run_echo() {
    name=$1
    shift
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$@" "$PORT" 100 >"$TMP/echo.out" 2>"$TMP/echo.err" &
    PID=$!
    python3 - "$PORT" <<'PY' || bad "$name: echo client"
import socket, sys, time
port = int(sys.argv[1])
for _ in range(200):
    try:
        s = socket.create_connection(("127.0.0.1", port)); break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("cannot connect")
total = 0
for i in range(10):
    msg = (b"message-%d-" % i) * (i + 1)
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("server closed early")
        got += chunk
    assert got == msg, (got, msg)
    total += len(msg)
s.close()
assert total == 550, total
PY
    wait "$PID"
    rc=$?
    [ "$rc" = 0 ] && [ "$(cat "$TMP/echo.out")" = "echo: 550 bytes" ] && ok "$name: $(cat "$TMP/echo.out")" \
        || bad "$name: rc=$rc out=[$(cat "$TMP/echo.out")] err=[$(cat "$TMP/echo.err")]"
}

run_echo "echo (native)" "$DIR/echo"

# ---- guest ELFs under the fake monitor ----
if [ -n "$GDIR" ] && [ -n "$FAKE" ]; then
    # the same commands as above; stdout must be identical to native
    for t in pio mmio ring "ring -s"; do
        for cmd in "helloworld" "nullcall 1000" "write 1000 64" "fileio 65536 $TMP" "fileio 10000 $TMP" \
                   "mmap 100 16" "printf_test" "badptr"; do
            set -- $cmd
            prog=$1
            shift
            "$DIR/$prog" "$@" >"$TMP/native.out" 2>/dev/null
            nrc=$?
            expect "[$t] $cmd" "$nrc" "$(cat "$TMP/native.out")" "$FAKE" -t $t "$GDIR/$prog.elf" "$@"
        done
        expect "[$t] args" 0 "argc=3
argv[0]=$GDIR/args.elf
argv[1]=x y
argv[2]=z
TOROVJ_TEST=v" env TOROVJ_TEST=v "$FAKE" -t $t "$GDIR/args.elf" "x y" z
        expect "[$t] denied (getpid -> EPERM)" 0 "denied: getpid=-1" "$FAKE" -t $t -d 39 "$GDIR/denied.elf"
        "$FAKE" -t $t "$GDIR/nullread.elf" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        grep -q '#PF addr=0x0 ' "$TMP/err" && [ "$(cat "$TMP/out")" = "about to read NULL" ] \
            && ok "[$t] nullread: $(cat "$TMP/err")" || bad "[$t] nullread rc=$rc err=[$(cat "$TMP/err")]"
        "$FAKE" -t $t -l "$TMP/glat.bin" "$GDIR/nullcall.elf" 1234 >/dev/null
        python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); c=struct.unpack_from('<QQ',d); sys.exit(c[1]!=1234 or len(d)!=16+8*1234)" "$TMP/glat.bin" \
            && ok "[$t] latency buffer count == 1234" || bad "[$t] latency buffer"
        run_echo "[$t] echo" "$FAKE" -t $t "$GDIR/echo.elf"
    done
    # unknown transport -> ud2 in torovj_fail_unknown_transport
    want=$(nm "$GDIR/helloworld.elf" | awk '$3 == "torovj_fail_unknown_transport" { sub(/^0+/, "", $1); print "0x" $1 }')
    "$FAKE" -t nosuch "$GDIR/helloworld.elf" >"$TMP/out" 2>"$TMP/err"
    grep -q "#UD rip=$want\$" "$TMP/err" && ok "unknown transport -> #UD at torovj_fail_unknown_transport ($want)" \
        || bad "unknown transport: [$(cat "$TMP/err")], want rip $want"
    # no boot info at all (run the guest ELF as a plain process) -> SIGILL
    "$GDIR/helloworld.elf" >/dev/null 2>&1
    rc=$?
    [ "$rc" = 132 ] && ok "no boot info -> ud2 (SIGILL)" || bad "no boot info: rc=$rc"
fi

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
