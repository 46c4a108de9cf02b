#!/usr/bin/env bash
# Checks that the periodic reports open in an office suite: fills a fresh demo database,
# writes the annual provincial report and a commune's monthly report as XLSX and DOCX
# with `diaban report`, and converts each to PDF with LibreOffice headless. A file that
# LibreOffice cannot read produces no PDF and fails the script. Not part of CI (it needs
# LibreOffice: apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui);
# without LibreOffice it says so and exits 0.
#
#   scripts/check-office.sh            # builds the debug binary first
#   DIABAN_BIN=path/to/diaban scripts/check-office.sh
set -euo pipefail
cd "$(dirname "$0")/.."

office=$(command -v libreoffice || command -v soffice || true)
if [ -z "$office" ]; then
  echo "check-office: skipped, LibreOffice is not installed (apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui)"
  exit 0
fi

if [ -z "${DIABAN_BIN:-}" ]; then
  cargo build --quiet -p diaban
  DIABAN_BIN="${CARGO_TARGET_DIR:-target}/debug/diaban"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="sqlite://$work/demo.db"
DIABAN_LOG=warn "$DIABAN_BIN" demo --db "$db" --key-file "$work/data.key" >/dev/null

files=()
for spec in "51 annual 2026" "23293 monthly 2026-03"; do
  read -r unit kind period <<<"$spec"
  for format in xlsx docx; do
    out="$work/bao-cao-$unit-$kind-$period.$format"
    DIABAN_LOG=warn "$DIABAN_BIN" report --db "$db" --unit "$unit" --kind "$kind" --period "$period" \
      --format "$format" --out "$out" >/dev/null
    files+=("$out")
  done
done

# A profile of its own, so a running LibreOffice or the user's settings do not interfere.
profile="file://$work/lo-profile"
status=0
for f in "${files[@]}"; do
  # One directory per format: the XLSX and the DOCX of a report share a base name.
  outdir="$work/pdf/${f##*.}"
  "$office" -env:UserInstallation="$profile" --headless --convert-to pdf --outdir "$outdir" "$f" \
    >"$work/convert.log" 2>&1 || true
  pdf="$outdir/$(basename "${f%.*}").pdf"
  if [ -s "$pdf" ]; then
    pages=$(grep -a -c '/Type */Page[^s]' "$pdf" || true)
    echo "ok    $(basename "$f") -> PDF ($(stat -c %s "$pdf") bytes, ${pages:-?} page(s))"
  else
    echo "FAIL  $(basename "$f"): LibreOffice produced no PDF" >&2
    cat "$work/convert.log" >&2
    status=1
  fi
done
if [ -n "${KEEP_PDF:-}" ]; then
  for d in "$work"/pdf/*/; do
    mkdir -p "$KEEP_PDF/$(basename "$d")" && cp "$d"*.pdf "$KEEP_PDF/$(basename "$d")/"
  done
  echo "PDFs copied to $KEEP_PDF"
fi
exit $status
