package dev.parapet.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;

/**
 * Prepares the machine's real PostgreSQL for the tests that need more than its trust logins:
 * roles whose passwords are stored as SCRAM or md5, pg_hba.conf lines that make the server ask
 * for them (or for TLS), and server TLS with a certificate from a test CA. It edits the server's
 * files, so it only runs as root where pg_hba.conf is writable (this project's machines); anywhere
 * else it says why not and the tests that need it are skipped. Every step is idempotent: the
 * pg_hba.conf lines live in one marked block at the top of the file, and the TLS files are kept
 * and reused while they are valid. To undo it all: remove that block, {@code ALTER SYSTEM RESET}
 * ssl, ssl_cert_file and ssl_key_file, reload, and drop the parapet_* roles.
 */
final class PostgresSetup {

    static final String HBA_BEGIN = "# BEGIN parapet-it: lines for the integration tests (PostgresSetup); safe to remove";
    static final String HBA_END = "# END parapet-it";

    /** Where the server's TLS files go, beside pg_hba.conf. */
    static final String TLS_DIR = "parapet-it-tls";

    private PostgresSetup() {
    }

    /** Skips the calling test, with the reason, unless this machine's PostgreSQL can be prepared. */
    static void assumePossible() {
        Optional<String> reason = whyNot();
        Assumptions.assumeTrue(reason.isEmpty(), () -> "cannot prepare PostgreSQL for this test: " + reason.orElseThrow());
    }

    static Optional<String> whyNot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("not running as root (it edits pg_hba.conf and the server's TLS files)");
        }
        try {
            Path hba = hbaFile();
            if (!Files.isWritable(hba)) {
                return Optional.of(hba + " is not writable here");
            }
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("no superuser connection to PostgreSQL: " + e.getMessage());
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A superuser connection, plain TCP (whatever the server's TLS setting). */
    static Connection superuser(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", GatewayFixture.PG_SUPERUSER);
        props.setProperty("password", "");
        props.setProperty("sslmode", "disable");
        return DriverManager.getConnection(
                "jdbc:postgresql://" + GatewayFixture.PG_HOST + ":" + GatewayFixture.PG_PORT + "/" + database, props);
    }

    static Path hbaFile() throws SQLException {
        Path hba = Path.of(show("hba_file"));
        if (!Files.exists(hba)) {
            throw new IllegalStateException("the server's pg_hba.conf (" + hba + ") is not on this machine's file system");
        }
        return hba;
    }

    static String show(String setting) throws SQLException {
        try (Connection c = superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** How a role's password is stored on the server. */
    enum PasswordStorage {
        SCRAM("scram-sha-256", "SCRAM-SHA-256$"),
        MD5("md5", "md5");

        final String encryption;
        final String storedPrefix;

        PasswordStorage(String encryption, String storedPrefix) {
            this.encryption = encryption;
            this.storedPrefix = storedPrefix;
        }
    }

    /** Creates a login role (if missing) and sets its password, stored as asked; checks how it was stored. */
    static void ensureRole(String name, String password, PasswordStorage storage) throws SQLException {
        try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
            // Roles are cluster-wide and another test run may create the same one at the same time.
            st.execute("do $$ begin create role " + name + " login; exception when duplicate_object then null; end $$");
            st.execute("set password_encryption = '" + storage.encryption + "'");
            st.execute("alter role " + name + " login password '" + password.replace("'", "''") + "'");
            try (ResultSet rs = st.executeQuery("select rolpassword from pg_authid where rolname = '" + name + "'")) {
                rs.next();
                String stored = rs.getString(1);
                if (stored == null || !stored.startsWith(storage.storedPrefix)) {
                    throw new IllegalStateException("the password of role " + name + " is not stored as " + storage);
                }
            }
        }
    }

    /**
     * Makes sure pg_hba.conf has {@code lines} in the parapet-it block at its top (above the
     * machine's trust lines, so they take effect), and reloads the server when it changed.
     */
    static synchronized void ensureHbaLines(List<String> lines) throws SQLException, IOException {
        Path hba = hbaFile();
        List<String> file = Files.readAllLines(hba, StandardCharsets.UTF_8);
        List<String> block = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        int begin = file.indexOf(HBA_BEGIN);
        int end = file.indexOf(HBA_END);
        if (begin >= 0 && end > begin) {
            block.addAll(file.subList(begin + 1, end));
            rest.addAll(file.subList(0, begin));
            rest.addAll(file.subList(end + 1, file.size()));
        } else {
            rest.addAll(file);
        }
        List<String> missing = lines.stream().filter(line -> !block.contains(line)).toList();
        if (missing.isEmpty()) {
            return;
        }
        block.addAll(missing);
        List<String> updated = new ArrayList<>();
        updated.add(HBA_BEGIN);
        updated.addAll(block);
        updated.add(HBA_END);
        updated.addAll(rest);
        // Rewriting in place keeps the file's owner and mode.
        Files.write(hba, updated, StandardCharsets.UTF_8);
        try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "select line_number, error from pg_hba_file_rules where error is not null")) {
                if (rs.next()) {
                    throw new IllegalStateException(hba + " line " + rs.getInt(1) + ": " + rs.getString(2));
                }
            }
            st.execute("select pg_reload_conf()");
        }
        awaitReload();
    }

    /** The server reloads its configuration on a signal, asynchronously; new sessions see it shortly after. */
    private static void awaitReload() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until a direct login as {@code role} with a wrong password is refused, i.e. until the
     * server has loaded pg_hba.conf lines that make it ask that role for a password.
     */
    static void awaitPasswordRequired(String role) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Properties props = new Properties();
            props.setProperty("user", role);
            props.setProperty("password", "certainly-not-the-password");
            props.setProperty("sslmode", "prefer");
            try (Connection ignored = DriverManager.getConnection("jdbc:postgresql://" + GatewayFixture.PG_HOST + ":"
                    + GatewayFixture.PG_PORT + "/postgres", props)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL still lets " + role + " in without its password");
                }
                Thread.sleep(100);
            } catch (SQLException e) {
                if ("28P01".equals(e.getSQLState())) {
                    return;
                }
                throw e;
            }
        }
    }

    /** The server's TLS files: the CA that signed its certificate (for the gateway to trust). */
    record ServerTls(Path caCertificate) {
    }

    /**
     * Turns on TLS in the server with a certificate for 127.0.0.1 (and not for {@code localhost})
     * signed by a test CA, written beside pg_hba.conf, readable by the server's user only. Leaves
     * TLS on afterwards: clients that do not ask for it are unaffected.
     */
    static synchronized ServerTls ensureServerTls() throws Exception {
        Path hba = hbaFile();
        UserPrincipal owner = Files.getOwner(hba);
        Path dir = hba.resolveSibling(TLS_DIR);
        Path ca = dir.resolve("ca.crt");
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        boolean rewritten = !validFiles(ca, cert, key);
        if (rewritten) {
            Files.createDirectories(dir);
            Files.setOwner(dir, owner);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            TestCa authority = TestCa.create("CN=parapet-it test CA");
            KeyPair serverKeys = TestCa.newKeys();
            X509Certificate serverCert = authority.issue("CN=parapet-it postgres", serverKeys,
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            Files.writeString(ca, TestCa.pem(authority.certificate()));
            Files.writeString(cert, TestCa.pem(serverCert));
            Files.writeString(key, TestCa.pem(serverKeys.getPrivate()));
            for (Path file : List.of(ca, cert, key)) {
                Files.setOwner(file, owner);
            }
            Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        boolean configured = show("ssl").equals("on") && show("ssl_cert_file").equals(cert.toString())
                && show("ssl_key_file").equals(key.toString());
        if (!configured) {
            try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
                st.execute("alter system set ssl_cert_file = '" + cert + "'");
                st.execute("alter system set ssl_key_file = '" + key + "'");
                st.execute("alter system set ssl = on");
                st.execute("select pg_reload_conf()");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!show("ssl").equals("on")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not turn TLS on after a reload: " + fileSettingErrors());
                }
                Thread.sleep(200);
            }
        } else if (rewritten) {
            // New files under an unchanged configuration: the server must load them again.
            try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
                st.execute("select pg_reload_conf()");
            }
            awaitReload();
        }
        return new ServerTls(ca);
    }

    private static String fileSettingErrors() throws SQLException {
        StringBuilder errors = new StringBuilder();
        try (Connection c = superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select sourcefile, sourceline, name, error from pg_file_settings where error is not null")) {
            while (rs.next()) {
                errors.append(rs.getString(1)).append(':').append(rs.getInt(2)).append(' ')
                        .append(rs.getString(3)).append(": ").append(rs.getString(4)).append("; ");
            }
        }
        return errors.isEmpty() ? "no error in pg_file_settings; see the server's log" : errors.toString();
    }

    /** True when the three files exist and the certificate is still valid and signed by the CA. */
    private static boolean validFiles(Path ca, Path cert, Path key) {
        if (!Files.isRegularFile(ca) || !Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
            return false;
        }
        try {
            X509Certificate caCert = TestCa.read(ca);
            X509Certificate serverCert = TestCa.read(cert);
            serverCert.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(1))));
            serverCert.verify(caCert.getPublicKey());
            return true;
        } catch (IOException | GeneralSecurityException e) {
            return false;
        }
    }

    /** A throwaway certificate authority for tests. */
    record TestCa(X509Certificate certificate, PrivateKey key) {

        static TestCa create(String subject) throws GeneralSecurityException, IOException, OperatorCreationException {
            KeyPair keys = newKeys();
            X500Name name = new X500Name(subject);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
            return new TestCa(new JcaX509CertificateConverter().getCertificate(builder.build(signer)), keys.getPrivate());
        }

        /** A server certificate for {@code names} (subject alternative names), signed by this CA. */
        X509Certificate issue(String subject, KeyPair keys, GeneralName... names)
                throws GeneralSecurityException, IOException, OperatorCreationException {
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), new X500Principal(subject), keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        }

        static KeyPair newKeys() throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        }

        static String pem(Object object) throws IOException {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(object instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : object);
            }
            return out.toString();
        }

        static X509Certificate read(Path file) throws IOException, GeneralSecurityException {
            try (var in = Files.newInputStream(file)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
        }

        private static BigInteger serial() {
            return new BigInteger(64, new SecureRandom());
        }
    }
}
