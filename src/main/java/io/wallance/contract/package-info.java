/**
 * The contract catalogue and the runner of contract actions.
 *
 * <p>A contract is a service a node can buy, such as serving a coffee. The catalogue is a
 * directory with one folder per contract; each folder holds a {@code contract.json}
 * descriptor and the files its action needs. {@link io.wallance.contract.ContractCatalogue}
 * loads and validates it strictly and computes the {@linkplain
 * io.wallance.contract.ContractCatalogue#digest() catalogue digest} that nodes compare to
 * detect a member with a different catalogue. {@link io.wallance.contract.ContractRunner}
 * runs a contract's action as an external process, off the event loop, with a timeout.
 *
 * <p>Nothing here depends on the ledger: the protocol decides <em>whether</em> a purchase
 * is final, this package only knows names, prices and how to run an action.
 */
package io.wallance.contract;
