from um_portal.exceptions import NotAllowed
from um_portal.roles import Perm, user_can


def require(user, perm: Perm, message: str = "Your role does not allow this page.") -> None:
    if not user_can(user, perm):
        raise NotAllowed(message)
