"""Sign-in sessions of the people's faces: an opaque token in an HttpOnly cookie, kept hashed here so that
the server can revoke it. A session's subject is a console user or an affiliate (its `face` says which)."""
