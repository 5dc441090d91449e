/**
 * The password mechanisms of the MySQL/MariaDB login, as pure functions over bytes (no Netty):
 * {@link dev.parapet.mysql.auth.Scrambles} for {@code mysql_native_password} and the
 * {@code caching_sha2_password} fast path, {@link dev.parapet.mysql.auth.RsaPassword} for the RSA
 * exchange of {@code caching_sha2_password} and {@code sha256_password}, and
 * {@link dev.parapet.mysql.auth.Ed25519Password} for MariaDB's {@code client_ed25519}.
 */
package dev.parapet.mysql.auth;
