package dev.parapet.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.config.IssuerConfig;
import dev.parapet.core.Identity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Claim shapes as the common identity providers issue them, mapped with the default settings. */
class ClaimMapperTest {

    private static ClaimMapper defaults(List<String> serviceClientIds) {
        return new ClaimMapper(new IssuerConfig("idp", "https://idp.example.com", null, List.of("parapet"), null, null,
                null, null, new IssuerConfig.ServiceIdentityConfig(serviceClientIds, null), null, null));
    }

    private final ClaimMapper mapper = defaults(List.of());

    @Test
    void mapsAKeycloakUserWithRealmRolesAndGroupPaths() {
        Identity id = mapper.map(Map.of("sub", "f1d2", "preferred_username", "alice", "email", "alice@corp.example",
                "name", "Alice Liddell", "groups", List.of("/analysts", "/eu/pii-readers"),
                "realm_access", Map.of("roles", List.of("offline_access")), "azp", "psql"));
        assertThat(id.subject()).isEqualTo("f1d2");
        assertThat(id.name()).isEqualTo("Alice Liddell");
        assertThat(id.email()).isEqualTo("alice@corp.example");
        assertThat(id.groups()).containsExactlyInAnyOrder("analysts", "pii-readers", "offline_access");
        assertThat(id.kind()).isEqualTo(Identity.Kind.HUMAN);
        assertThat(mapper.username(id.claims())).contains("alice");
    }

    @Test
    void recognisesAKeycloakServiceAccount() {
        Identity id = mapper.map(Map.of("sub", "9a", "preferred_username", "service-account-etl", "azp", "etl",
                "realm_access", Map.of("roles", List.of("agents"))));
        assertThat(id.kind()).isEqualTo(Identity.Kind.SERVICE);
        assertThat(id.groups()).containsExactly("agents");
    }

    @Test
    void mapsAnOktaUserAndAnOktaClientCredentialsToken() {
        Identity user = mapper.map(Map.of("sub", "00u1", "email", "bob@corp.example", "groups", List.of("dba"), "cid", "0oa9"));
        assertThat(user.kind()).isEqualTo(Identity.Kind.HUMAN);
        assertThat(user.groups()).containsExactly("dba");
        assertThat(mapper.username(user.claims())).contains("bob@corp.example");
        Identity machine = mapper.map(Map.of("sub", "0oa9", "cid", "0oa9", "scp", List.of("db")));
        assertThat(machine.kind()).isEqualTo(Identity.Kind.SERVICE);
    }

    @Test
    void mapsAuth0MachineToMachineTokens() {
        Identity id = mapper.map(Map.of("sub", "abc@clients", "gty", "client-credentials", "azp", "abc"));
        assertThat(id.kind()).isEqualTo(Identity.Kind.SERVICE);
        assertThat(id.email()).isNull();
    }

    @Test
    void mapsEntraIdUserAndAppTokens() {
        Identity user = mapper.map(Map.of("sub", "AAA", "oid", "1111", "upn", "carol@corp.example",
                "name", "Carol", "roles", List.of("pii-readers"), "idtyp", "user"));
        assertThat(user.email()).isEqualTo("carol@corp.example");
        assertThat(user.groups()).containsExactly("pii-readers");
        assertThat(user.kind()).isEqualTo(Identity.Kind.HUMAN);
        Identity app = mapper.map(Map.of("sub", "BBB", "appid", "etl-app", "idtyp", "app", "roles", List.of("agents")));
        assertThat(app.kind()).isEqualTo(Identity.Kind.SERVICE);
    }

    @Test
    void mapsGoogleUsersAndServiceAccounts() {
        Identity user = mapper.map(Map.of("sub", "1098", "email", "dan@corp.example", "name", "Dan", "hd", "corp.example"));
        assertThat(user.kind()).isEqualTo(Identity.Kind.HUMAN);
        assertThat(user.groups()).isEmpty();
        Identity robot = mapper.map(Map.of("sub", "1099", "email", "etl@project.iam.gserviceaccount.com"));
        assertThat(robot.kind()).isEqualTo(Identity.Kind.SERVICE);
    }

    @Test
    void aConfiguredClientIdMakesAServiceEvenWithoutIdpMarkers() {
        ClaimMapper configured = defaults(List.of("etl-agent"));
        assertThat(configured.map(Map.of("sub", "x", "azp", "etl-agent")).kind()).isEqualTo(Identity.Kind.SERVICE);
        assertThat(mapper.map(Map.of("sub", "x", "azp", "etl-agent")).kind()).isEqualTo(Identity.Kind.HUMAN);
    }

    @Test
    void readsGroupsGivenAsOneSpaceSeparatedString() {
        assertThat(mapper.map(Map.of("sub", "x", "groups", "dba analysts")).groups()).containsExactlyInAnyOrder("dba", "analysts");
    }
}
