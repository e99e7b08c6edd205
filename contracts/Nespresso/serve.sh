#!/bin/sh
# Simulated coffee machine: appends one "served coffee" line to coffee.log in the receipt
# directory. Message fields arrive as environment variables and are only ever printed
# with printf '%s', so nothing a buyer id contains is interpreted.
set -eu

log="${WALLANCE_RECEIPT_DIR:?}/coffee.log"
printf '%s served coffee contract=%s buyer=%s purchase=%s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${WALLANCE_CONTRACT:?}" "${WALLANCE_BUYER:?}" \
  "${WALLANCE_PURCHASE_ID:?}" >> "$log"
printf 'served coffee for %s (purchase %s)\n' "$WALLANCE_BUYER" "$WALLANCE_PURCHASE_ID"
