package io.wallance.store;

import java.util.List;

/**
 * One schema step: the statements that take a database from {@code version - 1} to
 * {@code version}. Steps run in order, each in its own transaction together with the update of
 * the version row, so a crash during a migration leaves the previous version intact.
 * Statements are constant DDL; no data ever reaches them.
 *
 * @param version the version this step produces (1, 2, ...)
 * @param description what the step changes
 * @param statements the DDL, in order
 */
record Migration(int version, String description, List<String> statements) {
  /** The migrations of this release, in order; the last one's version is the supported version. */
  static final List<Migration> ALL = List.of(
      new Migration(1, "change journal, certificate votes, evidence items, contract runs", List.of(
          """
          CREATE TABLE ledger_change (
            seq INTEGER PRIMARY KEY,
            batch INTEGER NOT NULL,
            type TEXT NOT NULL,
            message TEXT,
            party TEXT,
            hash TEXT,
            chain_index INTEGER,
            prev_epoch INTEGER,
            head_shares INTEGER,
            head_balance INTEGER,
            counter INTEGER,
            evidence_kind TEXT)""",
          "CREATE INDEX ledger_change_batch ON ledger_change (batch)",
          """
          CREATE TABLE certificate_vote (
            change_seq INTEGER NOT NULL REFERENCES ledger_change (seq),
            voter TEXT NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (change_seq, voter))""",
          """
          CREATE TABLE evidence_item (
            change_seq INTEGER NOT NULL REFERENCES ledger_change (seq),
            pos INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (change_seq, pos))""",
          """
          CREATE TABLE contract_run (
            request TEXT PRIMARY KEY,
            purchase INTEGER NOT NULL,
            contract TEXT NOT NULL,
            started INTEGER NOT NULL,
            status TEXT NOT NULL,
            finished INTEGER,
            outcome TEXT)""")),
      new Migration(2, "the node's purchase queue", List.of(
          """
          CREATE TABLE purchase (
            id INTEGER PRIMARY KEY,
            position INTEGER NOT NULL,
            contract TEXT NOT NULL,
            price INTEGER NOT NULL,
            state TEXT NOT NULL,
            request TEXT)""")),
      new Migration(3, "archive look-ups: share, certificate, chain and state keys", List.of(
          "ALTER TABLE ledger_change ADD COLUMN subject TEXT",
          "ALTER TABLE ledger_change ADD COLUMN position INTEGER",
          "CREATE INDEX ledger_change_subject ON ledger_change (type, subject, position) WHERE subject IS NOT NULL",
          "CREATE INDEX ledger_change_party ON ledger_change (type, party, hash) WHERE party IS NOT NULL",
          "CREATE INDEX ledger_change_chain ON ledger_change (party, chain_index) WHERE type = 'finalized'")),
      // A reward row's subject becomes its voter and its position the purchase's bucket key, so
      // the subject index answers "a voter's rewards in a bucket" (filled in for older rows by
      // LedgerStore at open). The step has no DDL of its own.
      new Migration(4, "archive look-ups: rewards by voter and bucket", List.of()));

  /** The schema version this release reads and writes. */
  static int supported(List<Migration> migrations) {
    return migrations.get(migrations.size() - 1).version();
  }
}
