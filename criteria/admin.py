from django.contrib import admin

from .models import CriteriaCode, CriteriaSet, CriteriaVersion


class CriteriaVersionInline(admin.StackedInline):
    model = CriteriaVersion
    extra = 0


class CriteriaCodeInline(admin.TabularInline):
    model = CriteriaCode
    extra = 0


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ("name", "source")
    search_fields = ("name",)
    inlines = [CriteriaVersionInline, CriteriaCodeInline]


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(admin.ModelAdmin):
    list_display = ("criteria_set", "version", "effective_from", "effective_to", "locked_at")
    list_select_related = ("criteria_set",)
