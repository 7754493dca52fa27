package io.vigil.models.features;

import java.util.List;
import java.util.Locale;

/**
 * Process names of well-known cryptocurrency miners. One weak hint among many: a renamed binary defeats
 * it, so no detection may rest on it alone (it feeds one feature, {@code miner_process}).
 */
public final class MinerNames {
    private MinerNames() {}

    /** Matched case-insensitively as substrings of the reported process name or path. */
    public static final List<String> KNOWN = List.of(
            "xmrig",
            "ethminer",
            "t-rex",
            "lolminer",
            "nbminer",
            "phoenixminer",
            "gminer",
            "teamredminer",
            "nanominer",
            "cpuminer",
            "ccminer",
            "bminer",
            "srbminer",
            "minerd");

    public static boolean matches(String processName) {
        if (processName == null) {
            return false;
        }
        String name = processName.toLowerCase(Locale.ROOT);
        for (String miner : KNOWN) {
            if (name.contains(miner)) {
                return true;
            }
        }
        return false;
    }
}
