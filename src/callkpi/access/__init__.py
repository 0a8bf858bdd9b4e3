"""Who may see what: passwords, tokens and keys, and the scoping of every question by role.

Kept apart from the faces so that the HTTP API, and later the dashboard, apply one policy.
"""
