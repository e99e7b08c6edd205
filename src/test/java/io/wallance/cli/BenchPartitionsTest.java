package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Hazelcast partition count {@code bench} gives every member and its observer. */
class BenchPartitionsTest {

  @Test
  void smallFleetsKeepHazelcastsDefault() {
    for (int n = 3; n <= 8; n++) {
      assertThat(BenchCommand.partitionCount(n)).as("nodes %d", n).isEqualTo(271);
    }
  }

  @Test
  void largeFleetsGetTheSmallestPrimeAtLeast71AndTwicePerMember() {
    assertThat(BenchCommand.partitionCount(9)).isEqualTo(71);
    assertThat(BenchCommand.partitionCount(16)).isEqualTo(71);
    assertThat(BenchCommand.partitionCount(31)).isEqualTo(71);
    assertThat(BenchCommand.partitionCount(36)).isEqualTo(73);
    assertThat(BenchCommand.partitionCount(64)).isEqualTo(131);
    for (int n = 9; n <= 64; n++) {
      int k = BenchCommand.partitionCount(n);
      assertThat(k).isGreaterThanOrEqualTo(Math.max(71, 2 * n));
      for (int d = 2; d * d <= k; d++) {
        assertThat(k % d).as("%d divisible by %d", k, d).isNotZero();
      }
    }
  }

  @Test
  void defaultHeapGrowsWithTheNodesPerProcess() {
    assertThat(BenchCommand.defaultHeapMb(4, 4)).isEqualTo(256);
    assertThat(BenchCommand.defaultHeapMb(16, 4)).isEqualTo(256);
    assertThat(BenchCommand.defaultHeapMb(31, 4)).isEqualTo(512);
    assertThat(BenchCommand.defaultHeapMb(31, 31)).isEqualTo(256);
  }
}
