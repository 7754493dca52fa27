#!/usr/bin/env python3
"""Issue #16's bar as the issue states it: an old and a new build's `vigil bench`, run alternately in one session,
both read thread by thread from /proc (scripts/bench-cpu-by-kind.py), and their records per CPU-second compared,
medians of the rounds.

    scripts/bar-series.py OLD.jar NEW.jar OUT_DIR [--rounds 3] [--flows 600000] [--parallelism 2,1]
                          [--dataset replay-data/rome-2026-02]
                          [--old-args ARGS] [--new-args ARGS]

For each round and each parallelism, in that order: the old build, then the new one, each
`bench --dataset DATASET --flows FLOWS --parallelism P --phases pipeline` plus its own args. The
defaults fit the build before issue #16 (ae4339f, which has no alignment) against today's, read unaligned as the
bar's comparison is: --old-args '' and --new-args='--alignment-max-drift-ms 0' (an args value that starts with a
dash takes the = form). Every run's files stay in OUT_DIR (old-p<P>-r<R>.json and new-p<P>-r<R>.json, each with its
.log and .cpu.json); a line goes to stderr before each run and after it, with its figures.

Prints, per parallelism and build, the medians of the process's CPU over the measured run, its steady part (without
the JIT, the embedded broker and the bench's own thread) and records per CPU-second of each; then new / old, the
ratio of the medians and each round's pair. A run that fails stops the series, its files and the earlier
runs' kept. Run it on a quiet machine: other work moves every figure (BENCHMARKS.md).
Linux only; needs python3 and java; run from the repository's root.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(jar, out, dataset, parallelism, flows, extra):
    """One bench, read by bench-cpu-by-kind.py: (CPU by kind, the bench's own figures)."""
    args = ['--dataset', dataset, '--flows', str(flows), '--parallelism', str(parallelism),
            '--phases', 'pipeline', *extra]
    done = subprocess.run([sys.executable, os.path.join(HERE, 'bench-cpu-by-kind.py'), jar, out, *args],
                          stdout=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f'{os.path.basename(out)}: the bench or its reading failed (rc {done.returncode}); see {out}.log')
    with open(out + '.cpu.json') as f:
        cpu = json.load(f)
    with open(out) as f:
        bench = json.load(f)
    return cpu, bench


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('old')
    parser.add_argument('new')
    parser.add_argument('out_dir')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--flows', type=int, default=600000)
    parser.add_argument('--dataset', default='replay-data/rome-2026-02',
                        help='a dataset directory both builds can read (default: %(default)s, the bar\'s)')
    parser.add_argument('--parallelism', default='2,1', help='comma-separated, in the order each round runs them')
    parser.add_argument('--old-args', default='', help="the old build's extra bench args (default: none)")
    parser.add_argument('--new-args', default='--alignment-max-drift-ms 0',
                        help="the new build's extra bench args (default: '--alignment-max-drift-ms 0'; write"
                             " --new-args='...' when they start with a dash)")
    a = parser.parse_args()
    if a.rounds < 1:
        parser.error('--rounds must be at least 1')
    for jar in (a.old, a.new):
        if not os.path.isfile(jar):
            parser.error(f'no such jar: {jar}')
    try:
        parallelisms = [int(p) for p in a.parallelism.split(',')]
    except ValueError:
        parser.error(f'--parallelism takes numbers separated by commas, not {a.parallelism!r}')
    if len(set(parallelisms)) != len(parallelisms) or min(parallelisms) < 1:
        parser.error(f'--parallelism takes each parallelism once, each at least 1, not {a.parallelism!r}')
    os.makedirs(a.out_dir, exist_ok=True)
    builds = {'old': (a.old, shlex.split(a.old_args)), 'new': (a.new, shlex.split(a.new_args))}
    runs = {}  # (build, p) -> [(steady, total, records)]
    for r in range(1, a.rounds + 1):
        for p in parallelisms:
            for build, (jar, extra) in builds.items():
                print(f'{time.strftime("%H:%M:%S")} round {r} of {a.rounds}, parallelism {p}, {build}',
                      file=sys.stderr, flush=True)
                cpu, bench = run(jar, os.path.join(a.out_dir, f'{build}-p{p}-r{r}.json'), a.dataset, p, a.flows, extra)
                records = bench['flows'] + bench['samples'] + bench['assignments']
                runs.setdefault((build, p), []).append((cpu['steady'], cpu['total'], records))
                print(f'    steady {cpu["steady"]:.2f} CPU-s, total {cpu["total"]:.2f}, {records} records',
                      file=sys.stderr, flush=True)
    med = statistics.median
    print(f'\n{a.dataset}, {a.flows} flows, {a.rounds} round(s); CPU-s over the measured run, read from /proc (medians)\n')
    print('| parallelism | build | total CPU-s | steady CPU-s | records per CPU-s, total | records per CPU-s, steady |')
    print('|---|---|---|---|---|---|')
    for p in parallelisms:
        for build in builds:
            rs = runs[(build, p)]
            print(f'| {p} | {build} | {med(x[1] for x in rs):.2f} | {med(x[0] for x in rs):.2f} '
                  f'| {med(x[2] / x[1] for x in rs):,.0f} | {med(x[2] / x[0] for x in rs):,.0f} |')
    print('\n| parallelism | new / old, steady: ratio of the medians (each round) | new / old, total: ratio of the medians (each round) |')
    print('|---|---|---|')
    for p in parallelisms:
        old, new = runs[('old', p)], runs[('new', p)]
        # the same records in both, so the ratio of records per CPU-second is old CPU over new CPU
        steady = [o[0] / n[0] for o, n in zip(old, new)]
        total = [o[1] / n[1] for o, n in zip(old, new)]
        print(f'| {p} | {med(o[0] for o in old) / med(n[0] for n in new):.2f}× '
              f'({", ".join(f"{x:.2f}" for x in steady)}) '
              f'| {med(o[1] for o in old) / med(n[1] for n in new):.2f}× ({", ".join(f"{x:.2f}" for x in total)}) |')


if __name__ == '__main__':
    main()
