from django.db import migrations


def create_categories(apps, schema_editor):
    from steward.holdings.defaults import CATEGORIES

    Category = apps.get_model("holdings", "ProductCategory")
    created = {}
    for order, (code, name, name_en, parent_code) in enumerate(CATEGORIES, start=1):
        if Category.objects.filter(code=code).exists():
            created[code] = Category.objects.get(code=code)
            continue
        parent = created.get(parent_code)
        category = Category.objects.create(
            code=code, name=name, name_en=name_en, parent=parent, sort_order=order, path=f"tmp-{code}"
        )
        category.path = (parent.path if parent else "") + f"{category.pk:04d}/"
        category.depth = category.path.count("/") - 1
        category.save(update_fields=["path", "depth"])
        created[code] = category


class Migration(migrations.Migration):
    dependencies = [("holdings", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
