"""Test factories of the tags app."""

import factory
from django.utils import timezone

from steward.tags.models import CustomerGroup, CustomerTag, GroupMember, Tag, TagCategory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagCategory

    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"分类{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.Sequence(lambda n: f"标签{n}")
    kind = Tag.Kind.MANUAL


class CustomerTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerTag

    tag = factory.SubFactory(TagFactory)
    source = CustomerTag.Source.MANUAL
    tagged_at = factory.LazyFunction(timezone.now)


class GroupFactory(factory.django.DjangoModelFactory):
    """A personal group: give owner=...; for a system group give kind="system", org=..."""

    class Meta:
        model = CustomerGroup

    name = factory.Sequence(lambda n: f"群组{n}")
    kind = CustomerGroup.Kind.PERSONAL


class GroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMember

    added_at = factory.LazyFunction(timezone.now)
