"""Console users: the people of one account, each with a role, signing in with an email and a password."""
