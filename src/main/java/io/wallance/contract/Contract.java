package io.wallance.contract;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of the catalogue: a validated {@code contract.json} and the folder that holds it.
 *
 * @param name the contract's name, unique in the catalogue, matching {@link #NAME_PATTERN}
 * @param price the price in DCoin, between {@link #MIN_PRICE} and {@link #MAX_PRICE}
 * @param description what the buyer gets, for people (the dashboard shows it)
 * @param action what runs when the contract is bought
 * @param device optional documentation of the real device action on a Pi
 * @param directory the contract folder on disk (absolute); the action runs inside it
 */
public record Contract(
    String name,
    long price,
    String description,
    ContractAction action,
    Optional<DeviceExample> device,
    Path directory) {

  /** Contract names: 1–32 characters of {@code [A-Za-z0-9_.-]}. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  /** Lowest price in DCoin; a free contract could be bought in a loop at no cost. */
  public static final long MIN_PRICE = 1;
  /** Highest price in DCoin. */
  public static final long MAX_PRICE = 1_000_000;

  /** Checks the invariants the loader has already enforced, for contracts built in code. */
  public Contract {
    Objects.requireNonNull(name, "name");
    if (!NAME_PATTERN.matcher(name).matches()) {
      throw new IllegalArgumentException("bad contract name: " + name);
    }
    if (price < MIN_PRICE || price > MAX_PRICE) {
      throw new IllegalArgumentException("price out of range: " + price);
    }
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(device, "device");
    directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
  }
}
