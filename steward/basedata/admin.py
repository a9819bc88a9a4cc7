from django.contrib import admin

from steward.basedata.models import CodeItem, CodeTable, SystemParameter


class CodeItemInline(admin.TabularInline):
    model = CodeItem
    extra = 0


@admin.register(CodeTable)
class CodeTableAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "is_system")
    inlines = [CodeItemInline]


@admin.register(SystemParameter)
class SystemParameterAdmin(admin.ModelAdmin):
    list_display = ("key", "value", "value_type", "group")
