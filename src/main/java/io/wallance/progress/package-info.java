/**
 * The one progress facility every long-running command uses (demo start-up, sync, bench,
 * simulate, chaos): a single updating line on a terminal, a line every few seconds in logs.
 */
package io.wallance.progress;
