"""Files ``boiler init`` writes (package data, not imported): ``starter/`` is the starter app."""
