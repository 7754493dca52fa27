package io.vigil.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.100.200", "203.0.113.9", "1.2.3.4"})
    void acceptsDottedQuadIpv4(String text) {
        assertThat(IpAddresses.isValid(text)).isTrue();
        assertThat(IpAddresses.parse(text)).hasSize(4);
    }

    @Test
    void parsesIpv4ToItsFourBytes() {
        assertThat(IpAddresses.parse("10.0.3.17")).containsExactly(10, 0, 3, 17);
        assertThat(IpAddresses.parse("255.0.128.1")).containsExactly((byte) 255, 0, (byte) 128, 1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::1",
                "::",
                "2001:db8::1",
                "2001:DB8::1",
                "2001:0db8:0000:0000:0000:0000:0000:0001",
                "fe80::1%eth0",
                "fe80::1%3",
                "1:2:3:4:5:6:7:8",
                "2001:db8:85a3::8a2e:370:7334",
                "::ffff:10.0.0.1",
                "64:ff9b::192.0.2.33"
            })
    void acceptsIpv6InAnyTextForm(String text) {
        assertThat(IpAddresses.isValid(text)).isTrue();
    }

    @Test
    void parsesIpv6ToItsSixteenBytes() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;

        assertThat(IpAddresses.parse("::1")).isEqualTo(loopback);
        assertThat(IpAddresses.parse("0:0:0:0:0:0:0:1")).isEqualTo(loopback);
        assertThat(IpAddresses.parse("2001:db8::1"))
                .hasSize(16)
                .startsWith(0x20, 0x01, 0x0d, (byte) 0xb8)
                .endsWith(1);
    }

    @Test
    void ignoresTheZoneOfALinkLocalAddress() {
        assertThat(IpAddresses.parse("fe80::1%eth0")).isEqualTo(IpAddresses.parse("fe80::1"));
    }

    @Test
    void readsTheIpv4InsideAnIpv4MappedAddress() {
        assertThat(IpAddresses.parse("::ffff:10.0.0.1")).endsWith(10, 0, 0, 1);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                // leading zeros: octal in some parsers, decimal in others
                "01.2.3.4",
                "10.0.0.01",
                "010.0.0.1",
                "00.0.0.0",
                // not four octets
                "1.2.3.4.5",
                "1.2.3",
                "10.0.0",
                "127.1",
                "1..2.3",
                "1.2.3.4.",
                ".1.2.3.4",
                // not decimal octets
                "256.1.1.1",
                "10.0.0.256",
                "1.2.3.-4",
                "0x7f.0.0.1",
                "1.2.3.4a",
                "１.２.３.４",
                // surrounded by something
                " 1.2.3.4",
                "1.2.3.4 ",
                "1.2.3.4/32",
                "1.2.3.4:80",
                "[::1]",
                "[2001:db8::1]:443",
                // broken IPv6
                ":::",
                "1::2::3",
                "2001:db8::g",
                "12345::",
                "1:2:3:4:5:6:7:8:9",
                "fe80::1%",
                "::1/128",
                "::1 ",
                // host names, never to be resolved
                "localhost",
                "abc",
                "host.example",
                "example.com",
                "cafe",
                "dead.beef"
            })
    void rejectsTextThatIsNotAnAddress(String text) {
        assertThat(IpAddresses.isValid(text)).isFalse();
        assertThat(IpAddresses.parse(text)).isNull();
    }

    @Test
    void rejectsTextLongerThanAnyAddress() {
        assertThat(IpAddresses.isValid("1:2:3:4:5:6:7:8%" + "e".repeat(100))).isFalse();
        assertThat(IpAddresses.isValid("1".repeat(10_000))).isFalse();
    }

    @Test
    void rejectsLeadingZerosInsideAnIpv4MappedAddressToo() {
        // The class rejects 01.2.3.4 as ambiguous; the same octets after ::ffff: are just as ambiguous.
        assertThat(IpAddresses.isValid("::ffff:01.2.3.4")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"%a:b", "%eth:0", "1.2.3.4%a:b", "10.0.0.1%eth0:1", "abc%x:y", "dead.beef%eth:0"})
    void rejectsAZoneOnSomethingThatIsNotIpv6(String text) {
        // A ':' inside the zone must not make IPv4 text, a host name or nothing at all pass as IPv6.
        assertThat(IpAddresses.parse(text)).isNull();
    }

    /**
     * Hex-only host names (abc, cafe, dead.beef) pass the IPv6 character filter. Asks the JDK's own
     * address cache, which every name-service lookup goes through, whether any of them was looked up.
     */
    @Test
    void neverAsksDnsAboutHostNames() {
        Map<?, ?> cache = jdkAddressCache();
        List<String> hosts = List.of("decade.faded", "bead", "face.b00c", "localhost.vigil-test", "ad");
        List<String> texts =
                List.of("decade.faded", "bead%x:y", "face.b00c%eth:0", "localhost.vigil-test", "ad%a:b", "ad");

        for (String text : texts) {
            IpAddresses.parse(text);
        }

        Set<Object> lookedUp = new HashSet<>(cache.keySet());
        lookedUp.retainAll(hosts);
        assertThat(lookedUp).as("host names looked up in DNS").isEmpty();
    }

    private static Map<?, ?> jdkAddressCache() {
        try {
            Field field = InetAddress.class.getDeclaredField("cache");
            field.setAccessible(true);
            return (Map<?, ?>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            assumeTrue(false, "cannot see the JDK's address cache (needs --add-opens java.base/java.net): " + e);
            return Map.of();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "10.0.0.1, UNICAST",
        "203.0.113.9, UNICAST",
        "8.8.8.8, UNICAST",
        "2001:db8::1, UNICAST",
        "fd00::1, UNICAST",
        "10.0.0.0, UNICAST",
        "203.0.113.255, UNICAST",
        "100.64.0.255, UNICAST",
        "::ffff:10.0.0.7, UNICAST",
        "169.254.169.254, METADATA_SERVICE",
        "fd00:ec2::254, METADATA_SERVICE",
        "100.100.100.200, METADATA_SERVICE",
        "169.254.10.20, LINK_LOCAL",
        "fe80::1, LINK_LOCAL",
        "fe80::1%eth0, LINK_LOCAL",
        "febf::1, LINK_LOCAL",
        "fec0::1, UNICAST",
        "224.0.0.251, MULTICAST",
        "239.255.255.250, MULTICAST",
        "ff02::fb, MULTICAST",
        "ff0e::c, MULTICAST",
        "255.255.255.255, BROADCAST",
        "192.168.1.255, BROADCAST",
        "10.244.3.255, BROADCAST",
        "172.16.0.255, BROADCAST",
        "172.32.0.255, UNICAST",
        "::ffff:192.168.1.255, BROADCAST",
        "0.0.0.0, UNSPECIFIED",
        "::, UNSPECIFIED",
        "127.0.0.1, LOOPBACK",
        "127.8.9.10, LOOPBACK",
        "::1, LOOPBACK",
        "not-an-address, UNICAST"
    })
    void classifiesAddressesOfBothFamilies(String text, IpAddresses.Kind kind) {
        assertThat(IpAddresses.kind(text)).isEqualTo(kind);
    }

    @Test
    void onlyUnicastAndTheMetadataServiceAreHosts() {
        assertThat(Arrays.stream(IpAddresses.Kind.values()).filter(IpAddresses.Kind::isHost))
                .containsExactly(IpAddresses.Kind.UNICAST, IpAddresses.Kind.METADATA_SERVICE);
    }
}
