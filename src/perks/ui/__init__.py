"""The kit of the people's faces (the console for an account's staff, the portal for affiliates):
sign-in sessions, CSRF, security headers, templates and their macros, form errors, formatting, charts,
keyset pages and the local assets. See docs/console.md."""
