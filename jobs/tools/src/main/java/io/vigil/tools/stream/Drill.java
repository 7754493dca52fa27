package io.vigil.tools.stream;

import io.vigil.models.eval.Label;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.IpAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;

/**
 * A fire drill's namespace: every name and address of a recorded dataset moved where no real job can be, the
 * same way in flows, GPU samples, assignments and labels, so the drill's records attribute to the drill's jobs
 * and its alerts carry {@code drill-NAME-} job ids a SIEM can filter or route. Job ids, pods and nodes get the
 * prefix {@code drill-NAME-}; the dataset's internal addresses ({@code network.internal.cidrs}, one host each:
 * not loopback, link-local, metadata services, multicast or broadcast) move into the drill's ranges, one
 * {@code /24} (IPv4) or {@code /64} (IPv6) of the dataset to one of the drill's, in the order they first appear,
 * keeping the host part: distinct addresses stay distinct and neighbours stay neighbours (a sweep of a subnet is
 * still one). External addresses stay as they are: they are the internet the job talked to, and moving them
 * would change what it did. Deterministic: the same records in the same order map the same way (a resumed
 * stream re-reads what it skips).
 */
public final class Drill {
    /** What a drill's name may be: it goes into job ids, pods and node names. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");
    /**
     * Where a drill's addresses go unless told otherwise: in the shared address space (RFC 6598), which the
     * pipeline counts as internal by default, at its top end, where clusters rarely put pods; and a ULA /48.
     */
    public static final List<String> DEFAULT_CIDRS = List.of("100.127.0.0/16", "fdd7:1117:d711::/48");

    private final String prefix;
    private final NetworkScope internal;
    private final Range v4;
    private final Range v6;
    private final Map<BigInteger, BigInteger> blocks4 = new HashMap<>();
    private final Map<BigInteger, BigInteger> blocks6 = new HashMap<>();

    /**
     * @param name the drill's name ({@link #NAME})
     * @param internal what counts as the dataset's internal addresses
     * @param cidrs the drill's ranges: at most one IPv4 range of /24 or wider, one IPv6 of /64 or wider
     * @throws IllegalArgumentException naming what is wrong
     */
    public Drill(String name, NetworkScope internal, List<String> cidrs) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("drill name '" + name
                    + "': lower-case letters, digits and '-', 1 to 32, starting and ending with a letter or digit");
        }
        this.prefix = "drill-" + name + "-";
        this.internal = internal;
        Range four = null;
        Range six = null;
        for (String cidr : cidrs) {
            Range r = Range.parse(cidr);
            if (r.bytes == 4) {
                if (four != null) {
                    throw new IllegalArgumentException("more than one IPv4 drill range: " + cidrs);
                }
                four = r;
            } else {
                if (six != null) {
                    throw new IllegalArgumentException("more than one IPv6 drill range: " + cidrs);
                }
                six = r;
            }
        }
        this.v4 = four;
        this.v6 = six;
    }

    /** The prefix of every job id, pod and node of the drill: {@code drill-NAME-}. */
    public String prefix() {
        return prefix;
    }

    /** A name (job id, pod, node) in the drill's namespace. */
    public String name(String original) {
        return original == null ? null : prefix + original;
    }

    /** A label's job in the drill's namespace; the pseudo-job {@code unassigned@NODE} names the drill's node. */
    public Label label(Label l) {
        String job = l.jobId().startsWith("unassigned@")
                ? "unassigned@" + name(l.jobId().substring("unassigned@".length()))
                : name(l.jobId());
        return new Label(l.incident(), job, l.category(), l.startTs(), l.endTs(), l.episodeId(), l.callStep());
    }

    /** The record with its names and internal addresses in the drill's namespace. */
    public SpecificRecord rewrite(SpecificRecord record) {
        if (record instanceof Flow f) {
            return Flow.newBuilder(f)
                    .setNode(name(f.getNode()))
                    .setJobId(name(f.getJobId()))
                    .setSrcIp(address(f.getSrcIp()))
                    .setDstIp(address(f.getDstIp()))
                    .build();
        }
        if (record instanceof GpuSample s) {
            return GpuSample.newBuilder(s)
                    .setNode(name(s.getNode()))
                    .setJobId(name(s.getJobId()))
                    .setPod(name(s.getPod()))
                    .build();
        }
        if (record instanceof Assignment a) {
            return Assignment.newBuilder(a)
                    .setNode(name(a.getNode()))
                    .setJobId(name(a.getJobId()))
                    .setPod(name(a.getPod()))
                    .setIp(address(a.getIp()))
                    .build();
        }
        if (record instanceof AgentEvent e) {
            // the command is left as it is: what the agent typed (addresses in it may not be the drill's)
            return AgentEvent.newBuilder(e)
                    .setNode(name(e.getNode()))
                    .setJobId(name(e.getJobId()))
                    .setRolloutWorker(name(e.getRolloutWorker()))
                    .build();
        }
        throw new IllegalArgumentException("not an input record: " + record.getClass());
    }

    /** An address in the drill's ranges if it is one of the dataset's internal hosts, else as it is. */
    public String address(String ip) {
        byte[] bytes = IpAddresses.parse(ip);
        if (bytes == null || !internal.isInternal(ip) || internal.kind(ip) != IpAddresses.Kind.UNICAST) {
            return ip;
        }
        Range range = bytes.length == 4 ? v4 : v6;
        if (range == null) {
            throw new IllegalArgumentException("the dataset has internal IPv" + (bytes.length == 4 ? 4 : 6)
                    + " addresses (" + ip + ") and the drill has no IPv" + (bytes.length == 4 ? 4 : 6) + " range");
        }
        int hostBits = bytes.length == 4 ? 8 : 64;
        BigInteger value = new BigInteger(1, bytes);
        BigInteger block = value.shiftRight(hostBits);
        Map<BigInteger, BigInteger> blocks = bytes.length == 4 ? blocks4 : blocks6;
        BigInteger index = blocks.get(block);
        if (index == null) {
            index = BigInteger.valueOf(blocks.size());
            if (index.bitLength() > range.blockBits(hostBits)) {
                throw new IllegalArgumentException("the drill range " + range.text + " has room for "
                        + BigInteger.ONE.shiftLeft(range.blockBits(hostBits)) + " /" + (bytes.length * 8 - hostBits)
                        + " blocks, and the dataset's internal addresses span more: give a wider --drill-cidrs");
            }
            blocks.put(block, index);
        }
        BigInteger host = value.and(BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE));
        BigInteger moved = range.network.or(index.shiftLeft(hostBits)).or(host);
        return NetworkScope.canonical(text(moved, bytes.length));
    }

    private static String text(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        try {
            return InetAddress.getByAddress(out).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: never
        }
    }

    /** One drill range: its network (host bits cleared) and prefix length. */
    private record Range(String text, BigInteger network, int prefix, int bytes) {
        static Range parse(String cidr) {
            String t = cidr.strip();
            int slash = t.indexOf('/');
            byte[] address = slash < 0 ? null : IpAddresses.parse(t.substring(0, slash));
            if (address == null || !t.substring(slash + 1).matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("drill range '" + cidr + "' is not a CIDR range");
            }
            int prefix = Integer.parseInt(t.substring(slash + 1));
            int max = address.length == 4 ? 24 : 64;
            if (prefix > max) {
                throw new IllegalArgumentException(
                        "drill range '" + cidr + "' is narrower than /" + max + ": it must hold whole /" + max + "s");
            }
            int bits = address.length * 8;
            BigInteger mask = BigInteger.ONE
                    .shiftLeft(bits)
                    .subtract(BigInteger.ONE)
                    .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
            return new Range(t, new BigInteger(1, address).and(mask), prefix, address.length);
        }

        /** How many bits number the blocks of {@code hostBits} in this range. */
        int blockBits(int hostBits) {
            return bytes * 8 - hostBits - prefix;
        }
    }
}
