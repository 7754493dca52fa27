package io.vigil.models.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys and signatures for model releases, from the JDK's own {@code java.security} (no other library).
 * Keys are PEM files: the private key PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), the public key X.509
 * ({@code -----BEGIN PUBLIC KEY-----}), as {@code openssl genpkey -algorithm ed25519} writes them. A key is named
 * by its id: the SHA-256 of its X.509 encoding, which an artifact's signature carries ({@link ModelArtifact}).
 */
public final class ModelSigning {
    static final String ALGORITHM = "Ed25519";
    /** An Ed25519 signature is always 64 bytes. */
    static final int SIGNATURE_BYTES = 64;

    static final int KEY_ID_BYTES = 32;
    /** A PEM key file is a few hundred bytes; anything much larger is not one. */
    private static final long MAX_PEM_BYTES = 16 * 1024;

    private ModelSigning() {}

    /**
     * Makes a key pair and writes it: the private key readable by its owner only (where the file system has POSIX
     * permissions). Existing files are never overwritten.
     *
     * @return the public key's id
     */
    public static String generate(Path privateKeyFile, Path publicKeyFile) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Ed25519 is part of every Java platform since 15", e);
        }
        if (Files.exists(privateKeyFile) || Files.exists(publicKeyFile)) {
            throw new FileAlreadyExistsException(
                    Files.exists(privateKeyFile) ? privateKeyFile.toString() : publicKeyFile.toString(),
                    null,
                    "a key file is never overwritten");
        }
        Files.createFile(privateKeyFile);
        try {
            Files.setPosixFilePermissions(privateKeyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // the file system has no POSIX permissions: the directory's protection is what there is
        }
        Files.writeString(
                privateKeyFile,
                pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(
                publicKeyFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardOpenOption.CREATE_NEW);
        return keyId(pair.getPublic());
    }

    /** @throws IllegalArgumentException if the file is not a PEM Ed25519 private key */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] der = unpem(file, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key (PKCS#8): " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException if the file is not a PEM Ed25519 public key */
    public static PublicKey readPublicKey(Path file) throws IOException {
        byte[] der = unpem(file, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 public key (X.509): " + e.getMessage(), e);
        }
    }

    /** The key's id in hex: SHA-256 of its X.509 encoding. */
    public static String keyId(PublicKey key) {
        return HexFormat.of().formatHex(keyIdBytes(key));
    }

    static byte[] keyIdBytes(PublicKey key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    static byte[] sign(byte[] message, PrivateKey key) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot sign with this key (" + key.getAlgorithm() + "): " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is the key's signature of {@code message[0, length)}. */
    static boolean verify(byte[] message, int length, byte[] signature, PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message, 0, length);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(Path file, String type) throws IOException {
        long size = Files.size(file);
        if (size > MAX_PEM_BYTES) {
            throw new IllegalArgumentException(file + " is " + size + " bytes, not a PEM key file");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(file + " is not a PEM file with a " + type + " (" + begin + ")");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the " + type + " is not base64: " + e.getMessage(), e);
        }
    }
}
