eval --avance ../../../conventions/aci-msp-avenant-1.conv ../../../examples/declarations/msp-urbaine-9000-ipa-avenant-1.yaml
