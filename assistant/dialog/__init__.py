"""The dialog: a pure state machine from events (what the user did) to actions (what to do)."""
