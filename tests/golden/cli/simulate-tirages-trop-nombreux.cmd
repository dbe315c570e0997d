simulate ../../../examples/avenant-3/aci-msp-avenant-3.conv ../../../examples/population/population.csv --scenario ../../../examples/avenant-3/comite-usagers.conv --tirages 100000
