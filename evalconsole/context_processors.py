from evalconsole.roles import Role, primary_role, roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": {role.value for role in roles_of(user)}, "primary_role": primary_role(user), "Role": Role}
