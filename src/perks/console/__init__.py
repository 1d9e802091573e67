"""The console: the web app of an account's staff at /console, on the same services as the API.
See docs/console.md for how a page is added."""
