package io.wallance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JitCpuTest {

  @Test
  void readsTheCompilerThreadsOfARunningJvm() {
    // This test JVM has compiled plenty by now (JUnit, AssertJ): its compiler threads have
    // used CPU, and they are found by name in /proc.
    double own = JitCpu.seconds(ProcessHandle.current().pid());
    assertThat(own).isPositive();
    assertThat(own).isLessThanOrEqualTo(ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() / 1e9);
  }

  @Test
  void aProcessThatIsGoneHasNone() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertThat(JitCpu.seconds(p.pid())).isZero();
  }

  @Test
  void namesOfCompilerThreadsAsTheKernelKeepsThem() {
    assertThat(JitCpu.isCompiler("C2 CompilerThre\n")).isTrue();
    assertThat(JitCpu.isCompiler("C1 CompilerThre")).isTrue();
    assertThat(JitCpu.isCompiler("vert.x-eventloo")).isFalse();
    assertThat(JitCpu.isCompiler("GC Thread#0")).isFalse();
  }

  @Test
  void countsUserAndSystemTicksAfterTheLastParenthesis() {
    String stat = "4242 (C2 (odd) name) S 1 4242 4242 0 -1 4194368 100 0 0 0 1234 56 0 0 20 0 40 0 123 0 0";
    assertThat(JitCpu.cpuTicks(stat)).isEqualTo(1234 + 56);
    assertThatThrownBy(() -> JitCpu.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a /proc stat line");
    assertThatThrownBy(() -> JitCpu.cpuTicks("1 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void countsTheWaitedForChildrenOfAProcess() throws Exception {
    String stat = "4242 (java) S 1 4242 4242 0 -1 4194368 100 0 0 0 1234 56 7 3 20 0 40 0 123 0 0";
    assertThat(JitCpu.childrenTicks(stat)).isEqualTo(7 + 3);
    long self = ProcessHandle.current().pid();
    double before = JitCpu.childrenSeconds(self);
    Process busy = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
    assertThat(busy.waitFor()).isZero();
    assertThat(JitCpu.childrenSeconds(self)).as("the shell's CPU, once waited for").isGreaterThan(before);
    assertThat(JitCpu.childrenSeconds(busy.pid())).as("a process that is gone").isZero();
  }
}
