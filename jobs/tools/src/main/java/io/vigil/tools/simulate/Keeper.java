package io.vigil.tools.simulate;

import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;

/**
 * Keeps one logical connection of a workload going: opens it at its first start, and each time it
 * closes, opens the next one after a gap (a client that reconnects, an operator who logs in again).
 * Each piece is a connection of its own, with its own start and source port.
 */
final class Keeper {
    private final LongFunction<Conn> open;
    private final LongUnaryOperator nextStart;
    private long pendingStart;

    /**
     * @param firstStart when the first connection opens
     * @param open opens a connection at the given start (null: none this time, try again after a gap)
     * @param nextStart the next start, given when the previous connection ended
     */
    Keeper(long firstStart, LongFunction<Conn> open, LongUnaryOperator nextStart) {
        this.pendingStart = firstStart;
        this.open = open;
        this.nextStart = nextStart;
    }

    /** Opens every connection of the chain that starts before {@code to}. */
    void ensure(long to) {
        while (pendingStart < to) {
            long start = pendingStart;
            Conn c = open.apply(start);
            if (c == null) {
                pendingStart = Long.MAX_VALUE;
                return;
            }
            pendingStart =
                    c.end() == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(start + 1, nextStart.applyAsLong(c.end()));
        }
    }
}
