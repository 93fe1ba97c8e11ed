"""The journal: what the user answered, kept privately and durably on this device."""
