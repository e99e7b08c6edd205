package io.wallance.contract;

import java.util.List;
import java.util.Objects;

/**
 * Documentation only: how the contract's action would drive a real device on a Pi. The
 * runner never executes it; it tells an operator what to put in {@code action.command}
 * when the hardware is there (the prototype served coffee over Bluetooth with
 * {@code gatttool}).
 *
 * @param description what the real device action does and what it needs
 * @param exampleCommand the argument vector a Pi with the device would use
 */
public record DeviceExample(String description, List<String> exampleCommand) {

  /** Copies the command so the record stays immutable. */
  public DeviceExample {
    Objects.requireNonNull(description, "description");
    exampleCommand = List.copyOf(Objects.requireNonNull(exampleCommand, "exampleCommand"));
  }
}
