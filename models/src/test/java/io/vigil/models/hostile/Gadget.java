package io.vigil.models.hostile;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an attacker would put in a model payload: a serializable class outside the packages a model is
 * made of, whose {@code readObject} does something (here: counts). The artifact's filter must refuse it
 * before this runs.
 */
public final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How often a Gadget was deserialized. */
    public static final AtomicInteger READS = new AtomicInteger();

    public final String command;

    public Gadget(String command) {
        this.command = command;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        READS.incrementAndGet();
        in.defaultReadObject();
    }
}
