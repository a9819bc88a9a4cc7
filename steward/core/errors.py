"""Domain errors raised by services; interfaces turn them into messages, 400s or form errors."""


class DomainError(Exception):
    """A business rule refused the operation. `field` names the input at fault, if one is."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
