"""Running as an appliance: the systemd user service, and the doctor's checks."""
