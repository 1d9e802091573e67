"""The reward engine shared by everything that rewards: expirations, budgets, effects and facts."""
