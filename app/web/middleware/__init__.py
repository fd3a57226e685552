"""The middlewares every request passes through, outermost first in main.create_app: head and
body limits, compression, security headers, language, the login and CSRF checks."""
