package io.wallance.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code wallance.jar}: dispatches to the subcommands.
 *
 * <p>Exit codes: 0 success, 1 the command failed (one line {@code error: <message>} on
 * stderr, never a stack trace), 2 bad arguments (picocli's message and usage on stderr).
 */
@Command(
    name = "wallance",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Wallance: a lightweight, blockchain-free ledger for IoT fleets.",
    // One class per subcommand, in this package.
    subcommands = {
        KeygenCommand.class,
        RegistryCommand.class,
        NodeCommand.class,
        SimulateCommand.class,
        DashboardCommand.class,
        StatusCommand.class,
        BuyCommand.class,
        PasswordHashCommand.class,
        DemoCommand.class,
        BenchCommand.class,
        CertCommand.class,
        ChaosCommand.class,
    })
public final class Main implements Runnable {

  /** Exit code when a command fails at run time. */
  public static final int EXIT_FAILURE = 1;

  /** Exit code for bad arguments (picocli's own convention). */
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  @Spec
  private CommandSpec spec;

  /** Called when no subcommand was given. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /**
   * Starts the command line and exits the JVM with its exit code.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    // Must be set before any Hazelcast class loads; an explicit -D still wins.
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
    // A child of `demo` exits when the demo process is gone (see ParentWatchdog).
    ParentWatchdog.startIfRequested();
    System.exit(commandLine().execute(args));
  }

  /**
   * Builds the configured command line; tests call {@code execute} on it directly.
   *
   * @return a fresh command line with the error handling described above
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler(new OneLineErrors())
        .setParameterExceptionHandler(new UsageOnBadArguments());
  }

  /**
   * Prints the error, any "did you mean" suggestions and always the usage (picocli's default
   * drops the usage as soon as it has a suggestion).
   */
  private static final class UsageOnBadArguments implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine commandLine = ex.getCommandLine();
      PrintWriter err = commandLine.getErr();
      err.println(ex.getMessage());
      UnmatchedArgumentException.printSuggestions(ex, err);
      commandLine.usage(err);
      err.flush();
      return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }
  }

  /** Prints a failed command's exception as one line instead of a stack trace. */
  private static final class OneLineErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
      commandLine.getErr().println("error: " + describe(ex));
      commandLine.getErr().flush();
      return EXIT_FAILURE;
    }
  }

  /**
   * A one-line description of a failure. JDK file-system exceptions carry only the path
   * in {@code getMessage()}, so their reason is spelled out here.
   */
  static String describe(Throwable ex) {
    Throwable t = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
    String text;
    if (t instanceof FileSystemException fse) {
      String reason = fse.getReason() != null ? fse.getReason() : humanize(fse.getClass().getSimpleName());
      text = reason + ": " + fse.getFile() + (fse.getOtherFile() != null ? " -> " + fse.getOtherFile() : "");
    } else if (t.getMessage() != null && !t.getMessage().isBlank()) {
      text = t.getMessage();
    } else {
      text = t.toString();
    }
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** {@code AccessDeniedException} becomes {@code access denied}. */
  private static String humanize(String exceptionName) {
    String words = exceptionName.replaceFirst("Exception$", "").replaceAll("([a-z])([A-Z])", "$1 $2");
    return words.toLowerCase(java.util.Locale.ROOT);
  }

  /** Reads the project version that Maven writes into {@code version.properties}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties props = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          props.load(in);
        }
      }
      return new String[] {"wallance " + props.getProperty("version", "unknown")};
    }
  }
}
