/**
 * Shared machinery of the fuzz tests ({@code *FuzzTest} next to the code they fuzz): the
 * committed corpus of each target, a seeded mutator of its inputs, and the bounded run of
 * generated inputs that {@code mvn test} adds to Jazzer's corpus replay. See
 * {@code docs/RELIABILITY.md}, "Fuzzing".
 */
package io.wallance.fuzz;
