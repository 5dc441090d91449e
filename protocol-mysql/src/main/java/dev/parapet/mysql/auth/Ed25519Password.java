package dev.parapet.mysql.auth;

import java.math.BigInteger;
import java.security.MessageDigest;

/**
 * The client side of MariaDB's {@code client_ed25519} plugin (server plugin {@code ed25519}): the
 * server stores an Ed25519 public key derived from the password, sends a 32-byte scramble, and the
 * client answers with an Ed25519 signature of that scramble. MariaDB derives the key pair from
 * SHA-512 of the whole password rather than of a 32-byte seed as RFC 8032 does, so the JDK's
 * EdDSA provider cannot hold the private key; the curve arithmetic is done here instead.
 *
 * <p>The arithmetic uses {@link BigInteger} in extended twisted Edwards coordinates: simple to
 * check against RFC 8032 and fast enough for one signature per login, but not constant-time.
 */
public final class Ed25519Password {

    /** Length of the server's scramble, the message that is signed. */
    public static final int SCRAMBLE_LENGTH = 32;

    /** Length of the encoded public key. */
    public static final int PUBLIC_KEY_LENGTH = 32;

    /** Length of the signature R || S. */
    public static final int SIGNATURE_LENGTH = 64;

    /** The field prime 2^255 - 19. */
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));

    /** The order of the base point, 2^252 + 27742317777372353535851937790883648493. */
    private static final BigInteger L = BigInteger.TWO.pow(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));

    /** The curve constant d = -121665 / 121666, and 2d, which the addition formula uses. */
    private static final BigInteger D = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final BigInteger D2 = D.shiftLeft(1).mod(P);

    /** The base point B (y = 4/5, x even), in affine coordinates. */
    private static final Point BASE = Point.affine(
            new BigInteger("15112221349535400772501151409588531511454012693041857206046113283949847762202"),
            new BigInteger("46316835694926478169428394003475163141307993866256225615783033603165251855960"));

    private Ed25519Password() {
    }

    /**
     * The 32-byte encoded public key A that MariaDB stores for this password (its
     * {@code authentication_string} is A in base64 without padding).
     *
     * @param password the password's UTF-8 bytes, any length
     */
    public static byte[] publicKey(byte[] password) {
        byte[] h = sha512(password);
        return BASE.multiply(secretScalar(h)).encode();
    }

    /**
     * The 64-byte signature R || S of the server's scramble, which is the whole
     * {@code client_ed25519} response.
     *
     * @param password the password's UTF-8 bytes, any length
     * @param scramble the 32 bytes the server sent with its request for {@code client_ed25519}
     */
    public static byte[] sign(byte[] password, byte[] scramble) {
        if (scramble.length != SCRAMBLE_LENGTH) {
            throw new IllegalArgumentException(
                    "an ed25519 scramble is " + SCRAMBLE_LENGTH + " bytes, not " + scramble.length);
        }
        byte[] h = sha512(password);
        BigInteger a = secretScalar(h);
        byte[] publicKey = BASE.multiply(a).encode();

        MessageDigest sha512 = Scrambles.digest("SHA-512");
        sha512.update(h, 32, 32);
        sha512.update(scramble);
        BigInteger r = littleEndian(sha512.digest()).mod(L);
        byte[] encodedR = BASE.multiply(r).encode();

        sha512.update(encodedR);
        sha512.update(publicKey);
        sha512.update(scramble);
        BigInteger k = littleEndian(sha512.digest()).mod(L);
        BigInteger s = r.add(k.multiply(a)).mod(L);

        byte[] signature = new byte[SIGNATURE_LENGTH];
        System.arraycopy(encodedR, 0, signature, 0, 32);
        writeLittleEndian(s, signature, 32);
        return signature;
    }

    private static byte[] sha512(byte[] password) {
        return Scrambles.digest("SHA-512").digest(password);
    }

    /** The secret scalar a: the first half of the hash, clamped as RFC 8032 clamps it. */
    private static BigInteger secretScalar(byte[] h) {
        byte[] scalar = new byte[32];
        System.arraycopy(h, 0, scalar, 0, 32);
        scalar[0] &= (byte) 0xf8;
        scalar[31] &= 0x3f;
        scalar[31] |= 0x40;
        return littleEndian(scalar);
    }

    private static BigInteger littleEndian(byte[] bytes) {
        byte[] bigEndian = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            bigEndian[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, bigEndian);
    }

    /** Writes a value below 2^256 as 32 little-endian bytes at {@code offset}. */
    private static void writeLittleEndian(BigInteger value, byte[] target, int offset) {
        byte[] bigEndian = value.toByteArray(); // may carry a leading sign byte, or be shorter than 32
        for (int i = 0; i < 32 && i < bigEndian.length; i++) {
            target[offset + i] = bigEndian[bigEndian.length - 1 - i];
        }
    }

    /** A curve point in extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z. */
    private record Point(BigInteger x, BigInteger y, BigInteger z, BigInteger t) {

        static final Point IDENTITY = new Point(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO);

        static Point affine(BigInteger x, BigInteger y) {
            return new Point(x, y, BigInteger.ONE, x.multiply(y).mod(P));
        }

        /** Addition on the twisted Edwards curve with a = -1 (RFC 8032, section 5.1.4). */
        Point add(Point q) {
            BigInteger a = y.subtract(x).multiply(q.y.subtract(q.x)).mod(P);
            BigInteger b = y.add(x).multiply(q.y.add(q.x)).mod(P);
            BigInteger c = t.multiply(D2).multiply(q.t).mod(P);
            BigInteger d = z.shiftLeft(1).multiply(q.z).mod(P);
            BigInteger e = b.subtract(a);
            BigInteger f = d.subtract(c);
            BigInteger g = d.add(c);
            BigInteger h = b.add(a);
            return new Point(e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P));
        }

        /** k * this, by double-and-add from the top bit down. */
        Point multiply(BigInteger k) {
            Point result = IDENTITY;
            for (int i = k.bitLength() - 1; i >= 0; i--) {
                result = result.add(result);
                if (k.testBit(i)) {
                    result = result.add(this);
                }
            }
            return result;
        }

        /** The 32-byte encoding: y little-endian, with the low bit of x in the top bit. */
        byte[] encode() {
            BigInteger zInverse = z.modInverse(P);
            BigInteger affineX = x.multiply(zInverse).mod(P);
            BigInteger affineY = y.multiply(zInverse).mod(P);
            byte[] out = new byte[32];
            writeLittleEndian(affineY, out, 0);
            if (affineX.testBit(0)) {
                out[31] |= (byte) 0x80;
            }
            return out;
        }
    }
}
