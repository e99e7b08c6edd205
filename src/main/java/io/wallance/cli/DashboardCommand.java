package io.wallance.cli;

import io.wallance.web.Dashboard;
import io.wallance.web.WebConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wallance dashboard --config web.json}: the web verticle alone, for the operator's
 * PC. Joins the cluster as a lite member (an observer that never votes) and serves the
 * operator API until stopped (SIGINT or SIGTERM leave the cluster gracefully).
 */
@Command(
    name = "dashboard",
    mixinStandardHelpOptions = true,
    description = {
        "Runs the operator dashboard and HTTP API (docs/API.md).",
        "Joins the cluster as a non-voting observer; runs until stopped."
    })
final class DashboardCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The dashboard's JSON config (docs/ARCHITECTURE.md, section Configuration).")
  private Path config;

  @Override
  public Integer call() throws Exception {
    WebConfig cfg = WebConfig.load(config);
    Dashboard dashboard = Dashboard.start(cfg);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dashboard.close();
      stopped.countDown();
    }, "dashboard-stop"));
    spec.commandLine().getOut().println("dashboard: " + (cfg.tls() == null ? "http" : "https") + "://" + cfg.httpHost()
        + ":" + dashboard.port() + "/");
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }
}
