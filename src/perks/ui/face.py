"""What distinguishes one people's face from another: its path, its cookies and its framing policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Face:
    name: str  # "console" or "portal": also the `face` of its sign-in sessions
    prefix: str  # where it is mounted, e.g. "/console"
    templates: tuple[Path, ...]  # its own template folders, searched before the kit's
    # SameSite of its cookies: "lax" for a top-level app; a face shown in another site's iframe needs
    # "none" (and HTTPS, which makes the cookies Secure).
    same_site: str = "lax"
    # CSP frame-ancestors when a response does not set its own Content-Security-Policy.
    frame_ancestors: str = "'none'"

    @property
    def session_cookie(self) -> str:
        return f"perks_{self.name}"

    @property
    def csrf_cookie(self) -> str:
        """Binds the forms of a visitor who has no session yet (the sign-in form) to this browser."""
        return f"perks_{self.name}_csrf"

    @property
    def notice_cookie(self) -> str:
        return f"perks_{self.name}_notice"

    def path(self, tail: str = "") -> str:
        return f"{self.prefix}{tail}"
