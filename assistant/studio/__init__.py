"""The coach's recording studio (`hartsverbinding opnemen`): takes, choices, the walk."""
