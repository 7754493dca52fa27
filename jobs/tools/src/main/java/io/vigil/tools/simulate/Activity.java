package io.vigil.tools.simulate;

/** One piece of an incident: what it makes happen on the network and, for some, on GPUs. */
interface Activity {
    /** Opens the activity's connections that start in [from, to). */
    void network(long from, long to);

    /**
     * Changes what GPU {@code gpu} of {@code node} runs at {@code t}, if this activity runs there then.
     *
     * @return the phase to credit the sample to, or null when the activity did not touch it
     */
    default Phase overlay(Node node, int gpu, long t, Load load) {
        return null;
    }
}
