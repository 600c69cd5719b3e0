"""API authentication: the browser session, with CSRF checks on writes."""

from ninja.security import SessionAuth

session_auth = SessionAuth(csrf=True)
