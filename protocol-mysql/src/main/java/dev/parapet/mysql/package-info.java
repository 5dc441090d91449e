/**
 * The MySQL/MariaDB client/server protocol: messages, codecs, authentication, the client-facing session and the upstream side. So far only {@code auth}: the password mechanisms ({@code Scrambles}, {@code RsaPassword}, {@code Ed25519Password}) as pure functions over bytes.
 */
package dev.parapet.mysql;
