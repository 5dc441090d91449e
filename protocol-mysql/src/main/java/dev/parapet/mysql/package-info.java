/**
 * The MySQL/MariaDB client/server protocol: messages, codecs, authentication, the client-facing session and the upstream side. (Filled in by the MySQL work; empty in the foundation.)
 */
package dev.parapet.mysql;
