#!/bin/sh
# Writes a receipt file named after the purchase id into the receipt directory.
# The purchase id becomes a file name, so it is checked again here (the runner already
# restricts it) before use; every field is printed with printf '%s', never interpreted.
set -eu

id="${WALLANCE_PURCHASE_ID:?}"
case "$id" in
  '' | *[!A-Za-z0-9_-]*)
    printf 'refusing purchase id %s: not a safe file name\n' "$id" >&2
    exit 2
    ;;
esac

receipt="${WALLANCE_RECEIPT_DIR:?}/$id.receipt"
# Write then rename, so a reader never sees half a receipt.
tmp="$receipt.tmp.$$"
{
  printf 'contract=%s\n' "${WALLANCE_CONTRACT:?}"
  printf 'buyer=%s\n' "${WALLANCE_BUYER:?}"
  printf 'purchase=%s\n' "$id"
  printf 'issued=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$tmp"
mv "$tmp" "$receipt"
printf 'receipt written: %s\n' "$receipt"
