from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from evalconsole.access import require_role
from evalconsole.roles import Role
from guidelines.selectors import published_versions


@login_required
def pm_home(request):
    require_role(request.user, Role.PM, Role.ADMIN)
    return render(request, "reports/home.html", {"published": published_versions().order_by("guideline__name")})
