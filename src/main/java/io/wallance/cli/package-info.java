/**
 * The {@code wallance} command line: {@link io.wallance.cli.Main} and one class per
 * subcommand.
 *
 * <p>To add a subcommand, write a picocli {@code @Command} class here with
 * {@code mixinStandardHelpOptions = true} that implements {@code Callable<Integer>},
 * and add it to the {@code subcommands} list of {@link io.wallance.cli.Main}. Report
 * failures by throwing an exception with a one-line message: {@code Main} prints it as
 * {@code error: <message>} and exits with 1. Report bad arguments with a
 * {@link picocli.CommandLine.ParameterException}: picocli prints the usage and exits
 * with 2.
 */
package io.wallance.cli;
