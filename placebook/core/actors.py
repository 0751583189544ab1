from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """A management command or scheduled job, run by an operator with shell access.

    It is trusted as the database owner is (it could write the tables directly), and is
    named in the audit trail so its changes are still attributed.
    """

    name: str
    is_authenticated = True
    username = property(lambda self: self.name)

    def has_role(self, role) -> bool:
        return False
