from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from evalconsole.access import require_role
from evalconsole.roles import Role
from raters.services import profile_for


@login_required
def rater_home(request):
    require_role(request.user, Role.RATER, Role.ADMIN)
    return render(request, "raters/home.html", {"profile": profile_for(request.user)})


@login_required
def reviewer_home(request):
    require_role(request.user, Role.REVIEWER, Role.ADMIN)
    return render(request, "raters/review_home.html")
