package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.IpAddresses;
import org.junit.jupiter.api.Test;

class ContactTest {

    private static Contact contact(boolean external, int jobsRecent) {
        Contact c = new Contact();
        c.external = external;
        c.jobsThisWindow = 1;
        c.jobsRecent = jobsRecent;
        return c;
    }

    private static Contact traffic(long bytesOut, long bytesIn, long pktsOut, long pktsIn) {
        Contact c = contact(true, 1);
        c.bytesOut = bytesOut;
        c.bytesIn = bytesIn;
        c.pktsOut = pktsOut;
        c.pktsIn = pktsIn;
        return c;
    }

    @Test
    void callsAnExternalAddressRareWhenNoOtherJobUsedItOverTheLookback() {
        assertThat(contact(true, 1).rare()).isTrue();
        assertThat(contact(true, 2).rare()).isFalse();
        assertThat(contact(false, 1).rare())
                .as("internal addresses are the cluster's own")
                .isFalse();
    }

    @Test
    void ratesSmallPacketsBothWaysAsInteractive() {
        assertThat(traffic(7_200, 9_600, 90, 96).interactivity()).isGreaterThan(0.9);
    }

    @Test
    void ratesBulkTransfersAndOneWayTrafficAsNotInteractive() {
        assertThat(traffic(140_000_000, 200_000, 100_000, 50_000).interactivity())
                .isLessThan(0.1);
        assertThat(traffic(500, 0, 5, 0).interactivity()).isZero();
        assertThat(traffic(0, 0, 0, 0).interactivity()).isZero();
    }

    @Test
    void callsAHostFailedWhenHalfOrMoreOfTheJobsAttemptsFailedAndItSentNoPayload() {
        Contact c = contact(false, 1);
        c.outboundFlows = 6;
        c.attempts = 4;
        c.unanswered = 2;
        assertThat(c.failedHost()).isTrue();
        c.unanswered = 1;
        assertThat(c.failedHost()).isFalse();
        c.unanswered = 0;
        c.attempts = 0;
        assertThat(c.failedHost()).isFalse();
    }

    @Test
    void aHostThatSentPayloadOrIsNotAHostIsNeverFailed() {
        Contact c = contact(false, 1);
        c.attempts = 4;
        c.unanswered = 4;
        c.bytesIn = 0;
        assertThat(c.failedHost()).isTrue();
        c.bytesIn = 120;
        assertThat(c.failedHost())
                .as("it served data on some connection: it is there")
                .isFalse();
        c.bytesIn = 0;
        c.remoteKind = IpAddresses.Kind.MULTICAST;
        assertThat(c.failedHost()).isFalse();
        assertThat(c.toHost()).isFalse();
    }
}
