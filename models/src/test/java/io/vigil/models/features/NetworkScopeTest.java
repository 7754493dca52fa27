package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.IpAddresses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkScopeTest {
    private final NetworkScope defaults = NetworkScope.defaults();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.3.17",
                "10.255.255.255",
                "172.16.0.0",
                "172.31.255.255",
                "192.168.1.1",
                "100.64.0.0",
                "100.127.255.255",
                "127.0.0.1",
                "169.254.10.10",
                "169.254.169.254",
                "::1",
                "fd12:3456::1",
                "fc00::1",
                "fe80::1",
                "fe80::1%eth0",
                "fd00:ec2::254",
                "::ffff:10.0.0.1"
            })
    void treatsPrivateLoopbackLinkLocalAndCgnatAsInternal(String ip) {
        assertThat(defaults.isInternal(ip)).isTrue();
        assertThat(defaults.isExternal(ip)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "203.0.113.9",
                "8.8.8.8",
                "172.15.255.255",
                "172.32.0.0",
                "100.63.255.255",
                "100.128.0.0",
                "192.169.0.1",
                "11.0.0.1",
                "2001:db8::1",
                "2606:4700::1111",
                "fec0::1",
                "::ffff:8.8.8.8",
                "::"
            })
    void treatsEverythingElseAsExternal(String ip) {
        assertThat(defaults.isInternal(ip)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-ip", "", "10.0.0", "10.0.0.256", "010.0.0.1", "gpu-node-07"})
    void treatsTextThatIsNoAddressAsExternal(String ip) {
        assertThat(defaults.isInternal(ip)).isFalse();
        assertThat(defaults.isMetadataService(ip)).isFalse();
    }

    @Test
    void treatsNullAsExternal() {
        assertThat(defaults.isInternal(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "fd00:ec2::254", "FD00:EC2:0:0:0:0:0:254", "100.100.100.200"})
    void recognisesCloudMetadataServices(String ip) {
        assertThat(defaults.isMetadataService(ip)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.253", "169.254.170.2", "10.0.0.1", "203.0.113.9"})
    void doesNotMistakeNeighboursForTheMetadataService(String ip) {
        assertThat(defaults.isMetadataService(ip)).isFalse();
    }

    @Test
    void usesExactlyTheUsersRangesWhenGivenSome() {
        NetworkScope own = NetworkScope.of(List.of("203.0.113.0/24", "2001:db8:1::/48"));

        assertThat(own.isInternal("203.0.113.9")).isTrue();
        assertThat(own.isInternal("203.0.114.9")).isFalse();
        assertThat(own.isInternal("2001:db8:1:ffff::7")).isTrue();
        assertThat(own.isInternal("2001:db8:2::7")).isFalse();
        assertThat(own.isInternal("10.0.0.1")).isFalse();
    }

    @Test
    void addsTheUsersRangesToTheDefaults() {
        NetworkScope both = NetworkScope.defaults().and(List.of("203.0.113.0/24"));

        assertThat(both.isInternal("203.0.113.9")).isTrue();
        assertThat(both.isInternal("10.0.0.1")).isTrue();
        assertThat(both.isInternal("198.51.100.1")).isFalse();
    }

    @Test
    void readsRangesWithOddPrefixLengthsAndHostBits() {
        NetworkScope scope = NetworkScope.of(List.of("10.1.2.3/9", "192.0.2.7", "0.0.0.0/0"));
        NetworkScope v6 = NetworkScope.of(List.of("2001:db8::/33"));

        assertThat(scope.cidrs()).containsExactly("10.0.0.0/9", "192.0.2.7/32", "0.0.0.0/0");
        assertThat(NetworkScope.of(List.of("10.1.2.3/9")).isInternal("10.127.0.1"))
                .isTrue();
        assertThat(NetworkScope.of(List.of("10.1.2.3/9")).isInternal("10.128.0.1"))
                .isFalse();
        assertThat(scope.isInternal("198.51.100.1")).isTrue();
        assertThat(scope.isInternal("2001:db8::1")).isFalse();
        assertThat(v6.isInternal("2001:db8:7fff::1")).isTrue();
        assertThat(v6.isInternal("2001:db8:8000::1")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0/33",
                "10.0.0/8",
                "banana",
                "",
                " ",
                "10.0.0.0/",
                "::/129",
                "10.0.0.0/-1",
                "10.0.0.0/8/8",
                "fe80::/10%eth0",
                "10.0.0.0/1000"
            })
    void refusesABadCidrNamingIt(String cidr) {
        assertThatThrownBy(() -> NetworkScope.of(List.of("10.0.0.0/8", cidr)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + cidr + "'");
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.3.17, 10.0.3.17",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "1:0:0:1:0:0:0:1, 1:0:0:1::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "::ffff:10.0.0.1, 10.0.0.1",
        "fe80::1%eth0, fe80::1",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "fd00:ec2:0::254, fd00:ec2::254",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "192.168.100.9, 192.168.100.9",
        "010.0.3.17, 010.0.3.17",
        "10.00.3.017, 10.00.3.017",
        "not-an-ip, not-an-ip"
    })
    void writesOneCanonicalTextPerAddress(String text, String canonical) {
        assertThat(NetworkScope.canonical(text)).isEqualTo(canonical);
        // text already canonical is kept as it is; any other is written anew
        assertThat(NetworkScope.canonical(text, IpAddresses.parse(text))).isEqualTo(canonical);
    }

    @Test
    void survivesJavaSerialisationAsAFlinkOperatorFieldWould() throws Exception {
        NetworkScope scope = NetworkScope.defaults().and(List.of("203.0.113.0/24"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(scope);
        }
        NetworkScope back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (NetworkScope) in.readObject();
        }

        assertThat(back).isEqualTo(scope);
        assertThat(back.isInternal("203.0.113.9")).isTrue();
        assertThat(back.isInternal("8.8.8.8")).isFalse();
    }
}
