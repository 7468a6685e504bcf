"""Staff accounts: users and roles, login security, passwords, preferences, administration."""
