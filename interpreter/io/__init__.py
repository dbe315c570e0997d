"""Reading what users give (declarations, population tables) and writing what the tool produces."""
