package io.wallance.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressesTest {

  private static final String ID = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

  @Test
  void addressesAreTheDocumentedOnes() {
    Addresses a = new Addresses("demo");

    assertThat(a.gossip()).isEqualTo("wallance.demo.gossip");
    assertThat(a.to(ID)).isEqualTo("wallance.demo.to." + ID);
    assertThat(a.command(ID)).isEqualTo("wallance.demo.command." + ID);
    assertThat(a.query(ID)).isEqualTo("wallance.demo.query." + ID);
    assertThat(a.events()).isEqualTo("wallance.demo.events");
    assertThat(a.localShare(ID)).isEqualTo("wallance.demo.local.share." + ID);
  }

  @Test
  void refusesIdsAndNetworksThatWouldBendAnAddress() {
    assertThatThrownBy(() -> new Addresses("demo.gossip x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Addresses("demo").to("ABC")).isInstanceOf(IllegalArgumentException.class);
  }
}
