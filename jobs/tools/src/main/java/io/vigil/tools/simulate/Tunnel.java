package io.vigil.tools.simulate;

/**
 * A reverse tunnel from a pod to an outside host ({@code ssh -R} on 22, or the same wrapped in TLS on 443
 * via a tool like chisel): a long-lived outbound connection carrying an operator's interactive session
 * back into the pod. The operator types on the far side, so keystrokes arrive in the responder's
 * direction and command output leaves in the originator's. Keep-alives hold it open while nobody types;
 * when it drops, the client (autossh) reconnects within seconds from a new source port.
 */
final class Tunnel implements Activity {
    private final Keeper keeper;

    Tunnel(World world, Pod pod, Rng rng, Phase phase, String host, int port, long open, long close) {
        double keepalive = rng.uniform(15, 60);
        double active = rng.uniform(0.12, 0.35);
        this.keeper = new Keeper(
                open,
                start -> {
                    if (start >= close) {
                        return null;
                    }
                    if (rng.chance(0.5)) {
                        world.dns(pod, rng, world.notBefore(start - rng.between(5, 200)), phase);
                    }
                    long piece = Math.min(close - start, rng.minutes(12, 45));
                    return world.outbound(
                            pod,
                            rng,
                            host,
                            port,
                            "TCP",
                            start,
                            piece,
                            "SF",
                            Traffic.interactive(rng, keepalive, active, false),
                            phase);
                },
                ended -> ended + rng.seconds(3, 30));
    }

    @Override
    public void network(long from, long to) {
        keeper.ensure(to);
    }
}
