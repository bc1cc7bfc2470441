"""The admin's CSV upload page (the provider directory load, the claims lines import): an
action opens a page with an upload form; the file is read as UTF-8 text and handed to a
service, whose refusal is shown on the form. Loading data is an administrator's job
(Perm.CONFIGURE), not every staff member's."""

from django.contrib import messages
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse

from .exceptions import DomainError
from .roles import Perm, user_can


class CsvUploadAdmin:
    """Mix into a ModelAdmin (first) and set the class attributes; `csv_upload_load` calls
    the service. The page is `admin:<csv_upload_name>` at `csv_upload_path`; an action of
    the admin opens it with `return self.csv_upload_redirect()`."""

    csv_upload_path = ""  # below the admin's changelist, e.g. "load-csv/"
    csv_upload_name = ""  # the URL's name, "<app>_<model>_<what>"
    csv_upload_form = None  # a forms.Form with a FileField `file`
    csv_upload_title = ""
    csv_upload_template = ""  # shown the form, the title and `report` (csv_upload_load's answer)
    csv_upload_refusal = ""  # the message to a user without Perm.CONFIGURE

    def csv_upload_load(self, request, text: str):
        """Load the file's text through the service: a report to show under the form, or a
        response to answer instead; a DomainError's messages (its `file` errors, else its
        message) are shown on the form."""
        raise NotImplementedError

    def get_urls(self):
        view = self.admin_site.admin_view(self.csv_upload_view)
        return [path(self.csv_upload_path, view, name=self.csv_upload_name), *super().get_urls()]

    def csv_upload_redirect(self):
        return redirect(reverse(f"admin:{self.csv_upload_name}"))

    def changelist_redirect(self):
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def csv_upload_view(self, request):
        if not user_can(request.user, Perm.CONFIGURE):
            self.message_user(request, self.csv_upload_refusal, messages.ERROR)
            return self.changelist_redirect()
        form = self.csv_upload_form(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            else:
                try:
                    report = self.csv_upload_load(request, text)
                except DomainError as error:
                    for message in error.errors.get("file") or [error.message]:
                        form.add_error("file", message)
                if isinstance(report, HttpResponseBase):
                    return report
        context = {
            **self.admin_site.each_context(request),
            "title": self.csv_upload_title,
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return render(request, self.csv_upload_template, context)
