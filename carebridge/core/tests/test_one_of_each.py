from django.db.models import Q

from carebridge.accounts.models import Organization
from carebridge.core.selectors import one_of_each


def slugs(*groups: tuple[Q, ...]) -> set[str]:
    return set(Organization.objects.filter(one_of_each(groups)).values_list("slug", flat=True))


def test_one_alternative_of_every_group_must_hold(org_a, org_b):
    a, b = Q(slug=org_a.slug), Q(slug=org_b.slug)

    assert slugs((a, b)) == {org_a.slug, org_b.slug}
    assert slugs((a, b), (b,)) == {org_b.slug}
    assert slugs((a,), (b,)) == set()
    assert slugs() == {org_a.slug, org_b.slug}


def test_an_empty_group_holds_for_no_row_and_an_empty_alternative_for_every_row(org_a, org_b):
    assert slugs((Q(slug=org_a.slug),), ()) == set()
    assert slugs((Q(slug=org_a.slug), Q())) == {org_a.slug, org_b.slug}
