"""People who sign in to IA Desk: accounts, sign-in with its lockout, one's own password,
and the session events (lock, sign-out) that belong in the audit trail."""
