"""What purchasing services refuse, each with a message that names the record and field."""


class PurchasingError(Exception):
    """An action the purchasing rules do not allow; the message says which rule and why."""


class DeadlinePassed(PurchasingError):
    """A provider response arrived after the request's deadline."""


class AlreadyAwarded(PurchasingError):
    """The package has an award already (another broker got there first)."""


class OutsideDelegation(PurchasingError):
    """The approver's delegated limit does not cover the award."""


class WrongStatus(PurchasingError):
    """The system or application is not in a status that allows the action."""


class EvaluationModelInvalid(PurchasingError):
    """An evaluation model's weights or criteria do not add up, so it cannot be published."""


class EvaluationModelFrozen(PurchasingError):
    """A published evaluation model cannot change: decisions are re-read against it."""


class ApplicationIncomplete(PurchasingError):
    """An application lacks answers or lots it needs before it can be submitted."""


class ConflictOfInterest(PurchasingError):
    """The actor may not judge this application (their own organisation, their own score)."""


class NotReadyToDecide(PurchasingError):
    """Scoring or moderation is unfinished, so no decision can be made yet."""


class AdmissionRefused(PurchasingError):
    """Admission is not open to this application: a gate not passed, or below the pass mark."""


class DocumentTooLarge(PurchasingError):
    """An attached document is over the size limit."""
