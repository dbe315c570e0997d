#!/usr/bin/env bash
# Regenerates the example reports from the bundled conventions and the example population
# (tests/test_examples.py checks that they are what the current code writes).
set -euo pipefail
cd "$(dirname "$0")/../.."
# The date every report gives in its provenance (interpreter/report/provenance.py): fixed, so that the
# reports change only when their figures or their words do.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1796601600}
convcheck=${CONVCHECK:-.venv/bin/convcheck}
c=conventions
a1=$c/aci-msp-avenant-1.conv
a2=$c/aci-msp-avenant-2-france-sante.conv
population=(--population examples/population/population.csv --par region)
three=(eval $c/aci-msp-2017.conv "$a1" "$a2" examples/trois-versions/msp-urbaine.yaml)
out=examples/reports
"$convcheck" diff "$a1" "$a2" --format markdown -o $out/avenant-1-vers-avenant-2.md
"$convcheck" diff "$a1" "$a2" --format html -o $out/avenant-1-vers-avenant-2.html
"$convcheck" diff "$a1" "$a2" "${population[@]}" --format markdown -o $out/impact-avenant-1-vers-avenant-2.md
"$convcheck" diff "$a1" "$a2" "${population[@]}" --format html -o $out/impact-avenant-1-vers-avenant-2.html
"$convcheck" diff "$a1" "$a2" "${population[@]}" -o $out/impact-avenant-1-vers-avenant-2.xlsx
"$convcheck" "${three[@]}" --format markdown -o $out/trois-versions.md
"$convcheck" "${three[@]}" --format html -o $out/trois-versions.html
