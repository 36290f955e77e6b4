"""``{% personal_feed_url as url %}``: the signed-in person's personal ICS feed URL, for pages of
other apps (Integrations) that must not import calendars."""

from django import template
from django.urls import reverse

from calendars.services import personal_feed_of

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_feed_url(context) -> str:
    request = context["request"]
    feed = personal_feed_of(request.user)
    return request.build_absolute_uri(reverse("personal-feed")) + f"?key={feed.feed_key}"
