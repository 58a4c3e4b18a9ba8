"""{% load languages %}: language tags as people read them."""

from django import template

from carebridge.core.languages import language_name

register = template.Library()
register.filter("language_name", language_name)
