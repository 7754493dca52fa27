package io.vigil.tools.simulate;

import java.util.function.LongToDoubleFunction;

/** How much a connection carries between two instants of its life: the counters of one flow report. */
@FunctionalInterface
interface Traffic {
    /** Counters for the part of {@code conn}'s life in (a, b]. */
    Counters between(Conn conn, long a, long b);

    /** Known totals (a short exchange, its handshake and close included), spread evenly over the connection's life. */
    static Traffic fixed(Counters totals) {
        return new Fixed(totals);
    }

    /** Totals known up front; they already count the packets that open and close the connection. */
    record Fixed(Counters totals) implements Traffic {
        @Override
        public Counters between(Conn conn, long a, long b) {
            long life = conn.end() - conn.start();
            if (life <= 0) {
                return totals;
            }
            return totals.slice((double) (a - conn.start()) / life, (double) (b - conn.start()) / life);
        }
    }

    /**
     * A stream whose payload rates (bytes per second, each way) vary with time: data transfers, NCCL rings,
     * replication. Rates are integrated in steps of five seconds; each report is scaled by a log-normal
     * factor ({@code noise}, e.g. 0.1) for what a rate curve does not capture.
     */
    static Traffic rates(
            Rng rng, LongToDoubleFunction origPerSecond, LongToDoubleFunction respPerSecond, int mss, double noise) {
        return (conn, a, b) -> {
            double orig = integrate(origPerSecond, a, b);
            double resp = integrate(respPerSecond, a, b);
            double f = noise > 0 ? rng.jitter(noise) : 1.0;
            Counters c = Counters.tcp(Math.round(orig * f), Math.round(resp * f), mss);
            return a == conn.start() ? c.plus(new Counters(0, 0, 3, 2)) : c;
        };
    }

    /**
     * An interactive session (SSH, a shell through a tunnel): keep-alives every {@code keepaliveSeconds}
     * both ways; while someone types, keystrokes of one small packet each from the typist's side, each
     * echoed; now and then a command whose output flows back. {@code typistOriginates} says which side types:
     * the originator for an SSH login, the responder for a reverse tunnel (the remote operator drives the
     * pod). {@code activeShare} is the fraction of time someone is at the keyboard.
     */
    static Traffic interactive(Rng rng, double keepaliveSeconds, double activeShare, boolean typistOriginates) {
        return (conn, a, b) -> {
            double seconds = (b - a) / 1000.0;
            long keepalives = (long) Math.floor(seconds / keepaliveSeconds);
            long typed = 0;
            long outputs = 0;
            long outputBytes = 0;
            double active = 0;
            // decide activity in slices of 20 s: people type in bursts
            for (double s = 0; s < seconds; s += 20) {
                double len = Math.min(20, seconds - s);
                if (rng.chance(activeShare)) {
                    active += len;
                    typed += rng.poisson(len * 2.2); // keystrokes, ~2 per second while typing
                    long cmds = rng.poisson(len / 15.0); // a command every ~15 s
                    outputs += cmds;
                    for (int i = 0; i < cmds; i++) {
                        outputBytes += Math.round(rng.uniform(120, 2500) * rng.jitter(1.0));
                    }
                }
            }
            long typistBytes = keepalives * 52 + typed * 36 + outputs * 52;
            long typistMsgs = keepalives + typed + outputs;
            long otherBytes = keepalives * 36 + typed * 36 + outputBytes;
            long otherMsgs = keepalives + typed + Counters.segments(outputBytes, Counters.MSS);
            if (a == conn.start()) { // key exchange and login
                typistBytes += rng.between(2600, 4200);
                otherBytes += rng.between(2800, 4600);
                typistMsgs += rng.between(14, 22);
                otherMsgs += rng.between(12, 20);
            }
            Counters c = typistOriginates
                    ? Counters.messages(typistMsgs, typistBytes, otherMsgs, otherBytes)
                    : Counters.messages(otherMsgs, otherBytes, typistMsgs, typistBytes);
            return active > 0 || keepalives > 0 || a == conn.start() ? c : Counters.NONE;
        };
    }

    /**
     * A stratum mining session (JSON-RPC lines over TCP, optionally TLS): the pool pushes a new job every
     * ~{@code jobSeconds}; the miner submits shares at {@code sharesPerMinute} (a Poisson process) and gets
     * a short answer to each; a keep-alive each minute. {@code hashing} scales the share rate over time
     * (0 while the miner is paused). {@code tlsOverhead} adds the bytes of TLS record framing per message.
     */
    static Traffic stratum(
            Rng rng, double jobSeconds, double sharesPerMinute, LongToDoubleFunction hashing, boolean tls) {
        int overhead = tls ? 29 : 0;
        return (conn, a, b) -> {
            double seconds = (b - a) / 1000.0;
            double mid = hashing.applyAsDouble((a + b) / 2);
            int jobs = rng.poisson(seconds / jobSeconds);
            int shares = rng.poisson(seconds / 60.0 * sharesPerMinute * mid);
            int keepalives = (int) Math.floor(seconds / 60.0);
            long orig = 0;
            long resp = 0;
            for (int i = 0; i < jobs; i++) {
                resp += rng.between(380, 720) + overhead;
            }
            for (int i = 0; i < shares; i++) {
                orig += rng.between(170, 260) + overhead;
                resp += rng.between(60, 110) + overhead;
            }
            orig += (long) keepalives * (rng.between(70, 95) + overhead);
            resp += (long) keepalives * (rng.between(60, 80) + overhead);
            long origMsgs = shares + keepalives;
            long respMsgs = jobs + shares + keepalives;
            if (a == conn.start()) { // login (and the TLS handshake)
                orig += rng.between(180, 320) + (tls ? rng.between(500, 700) : 0);
                resp += rng.between(450, 900) + (tls ? rng.between(2800, 4800) : 0);
                origMsgs += tls ? 6 : 4;
                respMsgs += tls ? 7 : 4;
            }
            return Counters.messages(origMsgs, orig, respMsgs, resp);
        };
    }

    /** Integral of a rate over (a, b], in steps of at most five seconds. */
    static double integrate(LongToDoubleFunction perSecond, long a, long b) {
        double total = 0;
        for (long t = a; t < b; t += 5000) {
            long step = Math.min(5000, b - t);
            total += Math.max(0, perSecond.applyAsDouble(t + step / 2)) * step / 1000.0;
        }
        return total;
    }
}
