consolidate --au 2027-03-01 petite-proposition.conv
