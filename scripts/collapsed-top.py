#!/usr/bin/env python3
"""Where an async-profiler recording's samples go (collapsed stacks, one thread per stack: `threads,collapsed`).

    scripts/collapsed-top.py pipeline.collapsed [TOP]

Unlike JFR's execution samples, these include the JVM's own frames (collector, compiler, interpreter, stubs) and
native ones, so a thread's share is its share of the CPU. Views, in percent of the samples outside the JIT
compilers (the bench counts the JIT apart): threads; the leaf frames (where the CPU is); per thread, the first
io.vigil frame from the leaf (who spends it).
"""
import collections
import re
import sys

from profile_views import print_views


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    threads, leaves = collections.Counter(), collections.Counter()
    callers = collections.defaultdict(collections.Counter)
    total = jit = 0
    for line in open(path):
        stack, n = line.rstrip().rsplit(' ', 1)
        n = int(n)
        frames = stack.split(';')
        thread = re.sub(r'\d+', '#', re.sub(r' tid=\d+', '', frames[0].strip('[]')))[:60]
        if thread.startswith(('C# CompilerThre', 'C1 Compiler', 'C2 Compiler')):
            jit += n
            continue
        total += n
        threads[thread] += n
        leaves[frames[-1]] += n
        caller = next((f for f in reversed(frames) if f.startswith('io/vigil/')), None)
        callers[thread][caller.split('/')[-1] if caller else '(no io.vigil frame) ' + frames[-1][:80]] += n
    if total == 0:
        sys.exit('no samples in ' + path)
    print_views(total, f'samples outside the JIT compilers ({jit} in them)',
                (('threads', threads), ('leaf frames', leaves)), callers,
                'callers, per thread (first io.vigil frame from the leaf)', top)


if __name__ == '__main__':
    main()
