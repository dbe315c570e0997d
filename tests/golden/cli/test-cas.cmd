test convention.conv cas-faux.conv
