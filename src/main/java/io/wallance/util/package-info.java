/** Small data structures shared by the node, the ledger and the dashboard. */
package io.wallance.util;
