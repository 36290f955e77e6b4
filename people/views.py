"""Browser pages owned by people: sign-in and the home page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "home.html", {"teams": request.user.teams.all()})
