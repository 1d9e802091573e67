"""The account's loyalty activity per day, for the console's overview: grouped counts over date indexes."""
