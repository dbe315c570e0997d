"""The `.conv` grammar, shipped as package data so that an installed wheel finds it."""
