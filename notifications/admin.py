"""Admin of the notifications app."""

from django.contrib import admin

from um_portal.admin import ReadOnlyAdmin

from .contact.services import contact_line_delete, contact_line_save
from .models import ContactChangeLog, ContactLine

# Phone lines: the raw admin goes through the same services as the portal pages, so the
# same rules hold and every change lands in the change log. Hours are edited on the
# weekly grid (/notifications/lines/), closures on /notifications/lines/closures/.


@admin.register(ContactLine)
class ContactLineAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "fax", "tty", "open_on_holidays", "always_open", "fallback")
    list_select_related = ("fallback",)
    fields = ("name", "phone", "fax", "tty", "purpose", "open_on_holidays", "always_open", "fallback", "display_order")
    actions = None

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data.get(field) for field in self.fields}
        data = {k: ("" if v is None and k in ("phone", "fax", "tty", "purpose") else v) for k, v in data.items()}
        saved = contact_line_save(actor=request.user, line=obj if change else None, **data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        contact_line_delete(actor=request.user, line=obj)


@admin.register(ContactChangeLog)
class ContactChangeLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "object_kind", "object_label", "action")
    list_filter = ("object_kind", "action")
    list_select_related = ("actor",)
    date_hierarchy = "at"


# Letters: templates, letters, the mail/fax queue, appeal windows.
from . import admin_letters  # noqa: E402,F401
