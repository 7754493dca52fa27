#!/usr/bin/env python3
"""Runs one `vigil bench` and reads the CPU of its measured pipeline run from /proc, by kind of thread, the same way
for any build: one that reports its own steady figures and one from before they existed (issue #16's bar compares
the build before it with today's, run alternately in one session).

    scripts/bench-cpu-by-kind.py JAR OUT.json BENCH_ARGS...
    scripts/bench-cpu-by-kind.py old.jar old.json --dataset replay-data/rome-2026-02 --flows 600000 --parallelism 2 --phases pipeline

Runs `java -Xmx4g -jar JAR bench BENCH_ARGS --out OUT.json` in the current directory (the repository's root, for
its datasets), with its log in OUT.json.log. From the bench's "pipeline:" line to its "limit:" line (its "floor:"
line with --phases floor, whose run comes in between) it reads every
thread's CPU from /proc/<pid>/task every 0.3 s, keeping each thread's last reading, so a thread that ends during the
run keeps what it spent (a compiler thread the JVM stops, a job's task). Writes OUT.json.cpu.json and prints it:

- total: the process's CPU seconds over the run (/proc/<pid>/stat, dead threads included);
- kinds: jit (C1, C2), gc (G1's threads), broker (the embedded Kafka broker's threads, by the names the bench's
  ThreadCpu uses, cut to the kernel's 15 characters), bench (the bench's own main thread), pipeline_threads (the
  rest: Flink's tasks, fetchers and runtime, the Kafka clients);
- steady: total less jit, broker and bench, which is how the bench's own pipeline_cpu_seconds_steady is made;
- by_thread_name: the 30 dearest thread names (the kernel's 15 characters), threads of one name added up.

Exits 1, with the bench's log named, when the bench ends before its pipeline run was read or fails after it; the
bench is stopped if this script is.

It reads one measured run: a bench given --rounds above 1 or a --baseline-flows prints "pipeline:" for more than one
run, and is refused (rc 2).

Readings start and stop when the two lines appear in the log, so they cover a little more than the bench's own
(polling): compare builds measured by this script with each other, not with the bench's own figures.
Linux only; needs python3.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

TICKS_PER_SECOND = float(os.sysconf('SC_CLK_TCK'))  # the unit of /proc's times (USER_HZ)
BROKER = re.compile(
    r'^(data-plane-|controller-|broker-|kafka-(?!producer|admin|coordinat)|quorum-|raft-|ReplicaFetch|'
    r'ExpirationReap|executor-|group-coordin|share-|transaction-|TxnMarker|LogDirFailure|ThrottledChann|'
    r'scheduler-|metrics-|AddPartitions|BrokerLifecyc|ClientMetrics|RemoteLog|log-cleaner|Kafka|NodeToControl|'
    r'event-process)')


def cpu_ticks(stat_path):
    with open(stat_path) as f:
        text = f.read()
    fields = text[text.rindex(')') + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def threads(pid):
    """Every live thread of pid: tid -> (name, CPU ticks)."""
    found = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/comm') as f:
                name = f.read().strip()
            found[tid] = (name, cpu_ticks(f'/proc/{pid}/task/{tid}/stat'))
        except (FileNotFoundError, ProcessLookupError):
            pass  # ended between listing and reading
    return found


def kind(name):
    if name.startswith(('C1 CompilerThre', 'C2 CompilerThre', 'Sweeper')):
        return 'jit'
    if name.startswith(('GC ', 'G1 ')):
        return 'gc'
    if name in ('main', 'java'):  # the launcher's thread that runs main() keeps the name "java"
        return 'bench'
    if BROKER.match(name):
        return 'broker'
    return 'pipeline_threads'


# the line after the measured run: the limit loop's, or the floor's where --phases has floor (it runs in between)
END = r'^(limit|floor):'


def read_pipeline_run(bench, log_path):
    """Every thread's CPU when the bench's pipeline run starts and last seen before it ends, and the process's."""
    start = last = None
    total_start = None
    while bench.poll() is None:
        with open(log_path) as f:
            text = f.read()
        try:
            if start is None and re.search(r'^pipeline:', text, re.M):
                if re.search(END, text, re.M):
                    break  # seen too late: the run is over
                start = threads(bench.pid)
                last = dict(start)
                total_start = cpu_ticks(f'/proc/{bench.pid}/stat')
            elif start is not None:
                last.update(threads(bench.pid))
                if re.search(END, text, re.M):
                    return start, last, total_start, cpu_ticks(f'/proc/{bench.pid}/stat')
        except (FileNotFoundError, ProcessLookupError):
            break  # the bench ended
        time.sleep(0.3)
    print(f'the bench ended, or its pipeline run was over, before it could be read; see {log_path}', file=sys.stderr)
    bench.kill()
    bench.wait()
    sys.exit(1)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    jar, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    for flag, off in (('--rounds', '1'), ('--baseline-flows', '0')):
        for i, arg in enumerate(args):
            value = arg.split('=', 1)[1] if arg.startswith(flag + '=') else (
                args[i + 1] if arg == flag and i + 1 < len(args) else None)
            if value is not None and value != off:
                print(f'one measured run is read between "pipeline:" and "limit:": {flag} {value} would mix several;'
                      f' leave it out', file=sys.stderr)
                sys.exit(2)
    # a kill of this script, like ^C, stops the bench with it (below)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    log_path = out + '.log'
    with open(log_path, 'w') as log:
        bench = subprocess.Popen(
            ['java', '-Xmx4g', '-jar', jar, 'bench', *args, '--out', out], stdout=log, stderr=subprocess.STDOUT)
    try:
        start, last, total_start, total_end = read_pipeline_run(bench, log_path)
        rc = bench.wait()  # the limit loop, then OUT.json
    except BaseException:  # interrupted, or the run could not be read: no bench left running
        bench.kill()
        raise
    if rc != 0:
        print(f'the bench failed (rc {rc}); see {log_path}', file=sys.stderr)
        sys.exit(1)
    kinds, by_name = {}, {}
    for tid, (name, ticks) in last.items():
        spent = (ticks - start.get(tid, (name, 0))[1]) / TICKS_PER_SECOND
        if spent > 0:
            kinds[kind(name)] = round(kinds.get(kind(name), 0) + spent, 2)
            by_name[name] = round(by_name.get(name, 0) + spent, 2)
    total = (total_end - total_start) / TICKS_PER_SECOND
    result = {
        'total': round(total, 2),
        'kinds': kinds,
        'steady': round(total - kinds.get('jit', 0) - kinds.get('broker', 0) - kinds.get('bench', 0), 2),
        'by_thread_name': dict(sorted(by_name.items(), key=lambda e: -e[1])[:30]),
    }
    with open(out + '.cpu.json', 'w') as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: result[k] for k in ('total', 'kinds', 'steady')}))


if __name__ == '__main__':
    main()
