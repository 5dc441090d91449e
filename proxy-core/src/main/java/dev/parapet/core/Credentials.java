package dev.parapet.core;

import java.net.InetSocketAddress;

/**
 * What a client presented at login: the user name from its startup packet and the secret it sent
 * as its password (a development password, or an OIDC token). {@code toString} hides the secret.
 */
public record Credentials(String user, String secret, InetSocketAddress client, boolean tls) {

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", client=" + client + ", tls=" + tls + "]";
    }
}
