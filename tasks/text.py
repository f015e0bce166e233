"""Text as the platform stores it: every multi-line text typed or imported ends its lines with LF."""


def lf(text: str) -> str:
    """CRLF and lone CR as LF: a browser posts a textarea with CRLF, an API client or a file sends what
    it has, and one dataset must not mix the two (a tokenizer counts them differently, a diff shows every line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
