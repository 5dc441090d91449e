package dev.parapet.core;

import java.util.concurrent.CompletableFuture;

/**
 * Turns the credentials a client presented into an {@link Identity}, or refuses them with an
 * {@link AuthenticationException}. Implementations may block (key fetches, network calls): the
 * gateway calls them off the event loop.
 */
public interface IdentityResolver {

    Identity resolve(Credentials credentials) throws AuthenticationException;

    /** Runs {@link #resolve} on a virtual thread; the future completes off the event loop. */
    default CompletableFuture<Identity> resolveAsync(Credentials credentials) {
        CompletableFuture<Identity> result = new CompletableFuture<>();
        Thread.ofVirtual().name("identity-resolve").start(() -> {
            try {
                result.complete(resolve(credentials));
            } catch (AuthenticationException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The resolver used when no identity source is configured: it refuses everyone. */
    IdentityResolver NONE = credentials -> {
        throw new AuthenticationException("no_identity_source",
                "the gateway has no identity source configured, so nobody can log in");
    };
}
