"""Where progress and messages go: stdout (interactive logging, the default) or the `logging`
module's "lamina" logger (for servers and batch jobs that collect logs)."""

import logging

_STATE = {"interactive": True}


def enable_interactive_logging():
    """Print progress bars and messages to stdout (the default)."""
    _STATE["interactive"] = True


def disable_interactive_logging():
    """Send progress and messages to the "lamina" logger (`logging.getLogger("lamina")`)
    instead of stdout."""
    _STATE["interactive"] = False


def is_interactive_logging_enabled():
    """Whether messages go to stdout (True) or to the "lamina" logger (False)."""
    return _STATE["interactive"]


def log_message(message):
    """Send one message to the "lamina" logger at INFO level."""
    logging.getLogger("lamina").info(message)
