package io.vigil.records.formats;

import io.vigil.records.Decoded;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.Rejection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;

/** Conversions the adapters share: numbers and times from text, protocol numbers, the domain checks. */
final class Values {
    private Values() {}

    /** Epoch seconds with a fraction ({@code 1258531221.486539}) as epoch ms, rounded down, exactly. */
    static long secondsToMillis(String field, String text) throws RecordRejected {
        return secondsToMillis(field, decimal(field, text));
    }

    static long secondsToMillis(String field, BigDecimal seconds) throws RecordRejected {
        try {
            return seconds.movePointRight(3).setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, field, field + " " + seconds + " is not a time");
        }
    }

    static BigDecimal decimal(String field, String text) throws RecordRejected {
        try {
            BigDecimal d = new BigDecimal(text.trim());
            if (d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new RecordRejected(
                        RejectReason.OUT_OF_RANGE, field, field + " " + abbreviate(text) + " is too large");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new RecordRejected(
                    RejectReason.WRONG_TYPE, field, field + " should be a number, not " + abbreviate(text));
        }
    }

    static long integer(String field, String text) throws RecordRejected {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new RecordRejected(
                    RejectReason.WRONG_TYPE, field, field + " should be an integer, not " + abbreviate(text));
        }
    }

    static double number(String field, String text) throws RecordRejected {
        double d;
        try {
            d = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new RecordRejected(
                    RejectReason.WRONG_TYPE, field, field + " should be a number, not " + abbreviate(text));
        }
        if (!Double.isFinite(d)) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, field, field + " " + text + " is not a finite number");
        }
        return d;
    }

    static int port(String field, String text) throws RecordRejected {
        long p = integer(field, text);
        if (p < 0 || p > 65535) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, field, field + " " + p + " is not a port (0..65535)");
        }
        return (int) p;
    }

    /** An ISO-8601 instant ({@code 2019-03-14T23:59:49.920582Z}) as epoch ms. */
    static long isoMillis(String field, String text) throws RecordRejected {
        try {
            return Instant.parse(text.trim()).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new RecordRejected(RejectReason.WRONG_TYPE, field, field + " is not a time: " + abbreviate(text));
        }
    }

    /** IANA protocol numbers as the canonical names: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6; other numbers as given. */
    static String protocol(String text) {
        String t = text.trim();
        switch (t) {
            case "6":
                return "TCP";
            case "17":
                return "UDP";
            case "1":
                return "ICMP";
            case "58":
                return "ICMPv6";
            default:
                break;
        }
        String upper = t.toUpperCase(Locale.ROOT);
        if (upper.equals("TCP") || upper.equals("UDP") || upper.equals("ICMP")) {
            return upper;
        }
        if (upper.equals("ICMPV6") || upper.equals("IPV6-ICMP")) {
            return "ICMPv6";
        }
        return t;
    }

    static long times(String field, long count, long factor) throws RecordRejected {
        try {
            return Math.multiplyExact(count, factor);
        } catch (ArithmeticException e) {
            throw new RecordRejected(
                    RejectReason.OUT_OF_RANGE, field, field + " " + count + " x " + factor + " overflows");
        }
    }

    /** The record if it passes its type's domain checks, else the rejection. */
    static <T extends SpecificRecord> Decoded<T> checked(RecordType<T> type, T record) {
        Rejection r = type.rejectionOf(record);
        return r == null ? Decoded.accepted(record) : Decoded.rejected(r);
    }

    static <T> List<Decoded<T>> one(Decoded<T> d) {
        return List.of(d);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
